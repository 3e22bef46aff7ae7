"""Figures for funders (issue 20): one year's figures over 100,000 interventions,
answered from the statistics projection, beside computing the same figures by
scanning the statistics store, in the same run.

Setup (not timed), an SQLite store in a temporary folder: the tallies the
statistics follower would have recorded for one calendar year of ``AGENCIES``'
work with ``PERSONS`` persons: ``INTERVENTIONS`` interventions (methods, one to
three domains, minutes; one in ten with an interpreter), and per person a stretch
of guidance under a legal position, a help request and its decision, a wait, and
for some a referral and a continuity gap. They are stored as the follower stores
them (sealed where personal, chained), in batches, straight into the store: the
broker and the upstream services are left out. The projection is then loaded from
the store by the service's own log tail, as a new instance does at start (timed,
shown for information).

Ours: a funder's figures for that year across all agencies, every table, small
cells and the cells nested periods and agencies would reveal withheld, from the
loaded projection: the median of ``REPEATS`` requests. Target: at most 200 ms.

Baseline, same run: the same figures computed by scanning the store, every tally
read in log order and added up, then answered as above: what a query would cost
without the projection. The ratio is ours over the baseline.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import uuid

from bench import report
from bench.resources import Resources, settings
from services.statistics.application import StatisticsApplication
from services.statistics.domain import Tally
from services.statistics.figures import figures
from services.statistics.projection import FiguresTail
from shared.contracts.guidance_vocabulary import SUB_KINDS

INTERVENTIONS = 100_000
PERSONS = 2_000
AGENCIES = ["apo", "dsr", "sab", "smbg", "caw-brussel"]
YEAR = 2025
REPEATS = 5
BATCH = 2_000
DOMAINS = ["judicial_situation", "housing", "work", "education_training", "income_debts", "administration",
           "residence_status", "physical_health", "addiction", "relations_network", "psychosocial_wellbeing",
           "leisure_participation"]
FUNDER = {"user_id": "funder-1", "role": "funder", "agency": "platform"}


def _tallies(rng: random.Random):
    """What the follower records for one year: yielded one at a time."""
    first = dt.date(YEAR, 1, 1)
    persons = [(uuid.uuid4().hex, rng.choice(AGENCIES)) for _ in range(PERSONS)]

    def tally(table, person, agency, start, cells, amount=0, end="same"):
        return Tally(entry_id=uuid.uuid4(), table=table, person=person, agency=agency, start=start,
                     end=start if end == "same" else end, cells=cells, amount=amount)

    for person, agency in persons:
        start = first + dt.timedelta(days=rng.randrange(200))
        ended = rng.random() < 0.4
        yield tally("clients", person, agency, start,
                    [[rng.choice(["suspect", "convicted", "interned"]),
                      rng.choice(["probation", "conditional_release", "electronic_monitoring", "leave"])]],
                    end=start + dt.timedelta(days=rng.randrange(30, 160)) if ended else None)
        yield tally("intakes", person, agency, start, [["received", rng.choice(["self", "lawyer", "family"])]])
        yield tally("intakes", person, agency, start, [["accepted", "-"]])
        yield tally("waiting", person, agency, start, [[rng.choice(["low", "normal", "high"]), "-"]],
                    amount=rng.randrange(0, 60))
        if rng.random() < 0.3:
            yield tally("referrals", person, agency, start, [[rng.choice(["addiction", "debts", "housing"]),
                                                              rng.choice(["proposed", "sent", "accepted"])]])
        if rng.random() < 0.2:
            yield tally("continuity_gaps", person, agency, start + dt.timedelta(days=40), [["continuity_gap", "-"]])
    methods = list(SUB_KINDS)
    for _ in range(INTERVENTIONS):
        person, agency = rng.choice(persons)
        day = first + dt.timedelta(days=rng.randrange(365))
        minutes = rng.choice([15, 30, 45, 60, 90])
        method = rng.choice(methods)
        yield tally("interventions", person, agency, day,
                    [[method, domain] for domain in rng.sample(DOMAINS, rng.choice([1, 1, 2, 3]))], minutes)
        if rng.random() < 0.1:
            yield tally("interpreters", person, agency, day, [[rng.choice(["ar", "tr", "ro", "es"]),
                                                              rng.choice(["telephone", "present"])]], minutes)


def _store(app: StatisticsApplication) -> int:
    stored, batch = 0, []
    for tally in _tallies(random.Random(20)):
        batch.append(tally)
        if len(batch) == BATCH:
            app.save(*batch)
            stored, batch = stored + len(batch), []
    if batch:
        app.save(*batch)
        stored += len(batch)
    return stored


def _ask(projection) -> dict:
    return figures(projection, FUNDER, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))


def compare(res: Resources) -> list[report.Row]:
    report.section("statistics: one year's figures from the projection, beside scanning the store")
    store = settings("statistics", {"JWW_STORE_SQLITE_PATH": str(res.tempdir() / "statistics.sqlite")}).store
    app = StatisticsApplication(store=store)
    res.callback(app.close)
    started = time.perf_counter()
    stored = _store(app)
    report.detail(f"{stored:,} tallies stored ({INTERVENTIONS:,} interventions, {PERSONS:,} persons, "
                  f"{len(AGENCIES)} agencies, {YEAR}) in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    tail = FiguresTail(app)
    projection = tail.current()
    report.detail(f"projection loaded from the log in {time.perf_counter() - started:.1f} s")

    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        answer = _ask(projection)
        timings.append((time.perf_counter() - started) * 1000)
    ours = statistics.median(timings)
    total = next(c for c in answer["tables"]["interventions"]["cells"] if c["row"] == c["column"] == "total")
    report.detail(f"from the projection: {', '.join(f'{t:.0f}' for t in timings)} ms; the year's interventions: "
                  f"{total['interventions']:,} by {total['persons']:,} persons")

    started = time.perf_counter()
    scanned = _ask(FiguresTail(app).current())
    baseline = (time.perf_counter() - started) * 1000
    assert scanned == answer, "scanning the store and the projection disagree"
    report.detail(f"by scanning the store: {baseline:,.0f} ms (the same figures)")
    return [report.latency_row("statistics: one year's figures (projection)", ours,
                               "the same by scanning the store", baseline, max_ours=200)]
