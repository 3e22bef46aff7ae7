"""What each upstream fact adds to the figures: a tally in a table's cells, a
correction of one, or its withdrawal.

The tables and their cells (``[row, column]``):

- ``clients``: a stretch of guidance at one agency under one legal position and
  situation, from acceptance (or reopening) to closing; a change of legal situation
  ends it the day before its effective date and begins the next one on that day;
- ``intakes``: each help request received (by its source), each decision (accepted,
  waitlisted, declined by reason) and each intake reopened;
- ``interventions``: each intervention once per domain, by method, with its minutes;
- ``interpreters``: each intervention with an interpreter, by language and kind;
- ``referrals``: each referral (counted on the day it was proposed) by the kind of
  partner and where it stands now (its last step, its outcome once completed, or
  cancelled, withdrawn, reopened);
- ``waiting``: each acceptance, by the urgency of the help request, with the days
  from the request to the acceptance;
- ``continuity_gaps``: each continuity gap found, on its due day.

Corrections are facts like the others: an amended intervention counts as it now
reads, in full; a retracted one no longer counts. Versions of these facts that this
build has no contract for are left out of the policies (``Policies.by_type``), so
the others' new events slot in as their contracts appear.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared.contracts import CATALOGUE, event_type

from services.statistics import pseudonyms
from services.statistics.domain import PartnerKinds, Person, Tally

if TYPE_CHECKING:
    from services.statistics.application import StatisticsApplication

Policy = Callable[[dict, ProcessingEvent], None]
NONE = "-"  # the column of a table row that has no second code


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.datetime.fromisoformat(text).date() if "T" in text else dt.date.fromisoformat(text)


def _when(event: dict) -> dt.date:
    """The day a fact happened: its own date when it says one, else when it was recorded."""
    data = event["data"]
    for name in ("effective", "effective_on", "effective_from", "effective_date", "at"):
        if data.get(name):
            return _day(data[name])
    return _day(event["time"])


def intervention_cells(data: dict) -> list[list[str]]:
    return [[data["method"], domain] for domain in data["domains"]] or [[data["method"], NONE]]


def interpreter_cells(data: dict) -> list[list[str]]:
    interpreter = data.get("interpreter")
    return [[interpreter["language"], interpreter["kind"]]] if interpreter else []


class Policies:
    def __init__(self, app: StatisticsApplication):
        self.app = app

    def by_type(self) -> dict[str, Policy]:
        intake, guidance, referrals = (
            lambda fact: event_type("intake", fact, 1),
            lambda fact: event_type("guidance", fact, 1),
            lambda fact: event_type("referrals", fact, 1),
        )
        wanted = {
            intake("help-request-received"): self.on_help_request,
            intake("intake-accepted"): self.on_accepted,
            intake("intake-waitlisted"): self.on_waitlisted,
            intake("intake-declined"): self.on_declined,
            intake("intake-reopened"): self.on_intake_reopened,
            intake("intake-reopened-after-closing"): self.on_intake_reopened,
            intake("legal-situation-changed"): self.on_legal_situation_changed,
            guidance("trajectory-closed"): self.on_trajectory_closed,
            guidance("trajectory-reopened"): self.on_trajectory_reopened,
            guidance("intervention-recorded"): self.on_intervention,
            guidance("intervention-amended"): self.on_intervention_amended,
            guidance("intervention-retracted"): self.on_intervention_retracted,
            guidance("continuity-gap"): self.on_continuity_gap,
            referrals("partner-registered"): self.on_partner,
            referrals("partner-changed"): self.on_partner,
            referrals("referral-proposed"): self.on_referral_proposed,
            referrals("referral-step-recorded"): self.on_referral_step,
            referrals("referral-cancelled"): self.on_referral_outcome("cancelled"),
            referrals("referral-withdrawn"): self.on_referral_outcome("withdrawn"),
            referrals("referral-reopened"): self.on_referral_reopened,
        }
        return {type_: policy for type_, policy in wanted.items() if type_ in CATALOGUE}

    # -- whom and what a fact is about, by keyed hash only ----------------------------

    def _key(self, what: str) -> str:
        return pseudonyms.keyed(self.app.lookup_key, what)

    def person(self, processing: ProcessingEvent, client_id) -> Person | None:
        """The client's record, made with a fresh pseudonym on their first fact; None
        once they were erased (an erased client is counted no further)."""
        client_id = UUID(str(client_id))
        person_id = Person.create_id(self._key(f"client:{client_id}"))
        person = self.app.find(person_id, processing)
        if person is None:
            # The id derives from the client, so a second delivery collides in the store.
            person = Person(lookup=person_id.hex, client_id=client_id, pseudonym=pseudonyms.fresh_pseudonym())
            processing.collect_events(person)
        return None if person.erased else person

    def _tally(self, processing: ProcessingEvent, what: str) -> Tally | None:
        return self.app.find(Tally.entry_id(self._key(what)), processing)

    def _count(self, processing: ProcessingEvent, what: str, table: str, person: Person | str, agency: str,
               start: dt.date, cells: list[list[str]], amount: int = 0) -> Tally | None:
        """A new tally (once: a second delivery meets it in the store). A stretch of
        guidance lasts until it ends; anything else is a fact of one day."""
        if not cells:
            return None
        entry_id = Tally.entry_id(self._key(what))
        if self.app.find(entry_id, processing) is not None:
            return None
        tally = Tally(entry_id=entry_id, table=table, person=getattr(person, "pseudonym", person), agency=agency,
                      start=start, end=None if table == "clients" else start, cells=cells, amount=amount)
        processing.collect_events(tally)
        return tally

    # -- intake -----------------------------------------------------------------------

    def on_help_request(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is None:
            return
        day = _when(event)
        self._count(processing, f"intake:{event['id']}", "intakes", person, data["agency"], day,
                    [["received", data["source"]]])
        person.note_request(agency=data["agency"], day=day, urgency=data["urgency"])
        processing.collect_events(person)

    def on_accepted(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is None:
            return
        day, agency = _when(event), data["agency"]
        self._count(processing, f"intake:{event['id']}", "intakes", person, agency, day, [["accepted", NONE]])
        if agency in person.requested:
            request = person.requested[agency]
            self._count(processing, f"wait:{event['id']}", "waiting", person, agency, day,
                        [[request["urgency"], NONE]], amount=max(0, (day - request["day"]).days))
            person.settle_request(agency=agency)
        self._begin(processing, event, person, agency, day, data["legal_position"], data["situation"])

    def on_waitlisted(self, event: dict, processing: ProcessingEvent) -> None:
        self._decision(event, processing, ["waitlisted", NONE])

    def on_declined(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        self._decision(event, processing, ["declined", data["reason"]])
        person = self.person(processing, data["client_id"])
        if person is not None and data["agency"] in person.requested:
            person.settle_request(agency=data["agency"])
            processing.collect_events(person)

    def on_intake_reopened(self, event: dict, processing: ProcessingEvent) -> None:
        self._decision(event, processing, ["reopened", NONE])

    def _decision(self, event: dict, processing: ProcessingEvent, cell: list[str]) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is not None:
            self._count(processing, f"intake:{event['id']}", "intakes", person, data["agency"], _when(event), [cell])
            processing.collect_events(person)

    def on_legal_situation_changed(self, event: dict, processing: ProcessingEvent) -> None:
        """The stretch under the old position ends the day before the new one takes
        effect, at each agency guiding the client."""
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is None:
            return
        effective = _when(event)
        for agency, stretch in list(person.stretches.items()):
            if "agency" in data and data["agency"] and data["agency"] != agency:
                continue
            legal_position = data.get("legal_position") or stretch["legal_position"]
            situation = data.get("situation") or stretch["situation"]
            if (legal_position, situation) == (stretch["legal_position"], stretch["situation"]):
                continue
            if effective <= stretch["start"]:
                # In force since before this stretch began: it was under the new one all along.
                tally = self.app.find(stretch["entry"], processing)
                if tally is not None:
                    tally.correct(tally.start, tally.end, [[legal_position, situation]], tally.amount)
                    processing.collect_events(tally)
                person.begin_stretch(agency=agency, entry=stretch["entry"], start=stretch["start"],
                                     legal_position=legal_position, situation=situation)
                continue
            self._end(processing, person, agency, effective - dt.timedelta(days=1))
            self._begin(processing, event, person, agency, effective, legal_position, situation)
        processing.collect_events(person)

    # -- guidance ---------------------------------------------------------------------

    def _begin(self, processing, event, person: Person, agency: str, day: dt.date, legal_position: str,
               situation: str) -> None:
        if agency in person.stretches:
            self._end(processing, person, agency, day)
        what = f"stretch:{event['id']}:{agency}"
        tally = self._count(processing, what, "clients", person, agency, day, [[legal_position, situation]])
        if tally is not None:
            person.begin_stretch(agency=agency, entry=tally.id, start=day, legal_position=legal_position,
                                 situation=situation)
        processing.collect_events(person)

    def _end(self, processing, person: Person, agency: str, day: dt.date) -> None:
        stretch = person.stretches.get(agency)
        if stretch is None:
            return
        tally = self.app.find(stretch["entry"], processing)
        if tally is not None:
            tally.close(max(day, tally.start))
            processing.collect_events(tally)
        person.end_stretch(agency=agency)

    def on_trajectory_closed(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is not None and data["agency"] in person.stretches:
            self._end(processing, person, data["agency"], _when(event))
            processing.collect_events(person)

    def on_trajectory_reopened(self, event: dict, processing: ProcessingEvent) -> None:
        """Guidance goes on under the legal position it last had at that agency."""
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is None or data["agency"] in person.stretches:
            return
        last = person.ended.get(data["agency"])
        if last is not None:
            self._begin(processing, event, person, data["agency"], _when(event), *last)

    def on_intervention(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is None:
            return
        day, what = _day(data["at"]), f"intervention:{data['intervention_id']}"
        self._count(processing, what, "interventions", person, data["agency"], day, intervention_cells(data),
                    amount=data["minutes"])
        self._count(processing, f"interpreter:{data['intervention_id']}", "interpreters", person, data["agency"],
                    day, interpreter_cells(data), amount=data["minutes"])
        processing.collect_events(person)

    def on_intervention_amended(self, event: dict, processing: ProcessingEvent) -> None:
        """The corrected intervention, in full: its copy here is replaced."""
        data = event["data"]
        tally = self._tally(processing, f"intervention:{data['intervention_id']}")
        if tally is None:
            return
        day = _day(data["at"])
        tally.correct(day, day, intervention_cells(data), data["minutes"])
        processing.collect_events(tally)
        interpreted = self._tally(processing, f"interpreter:{data['intervention_id']}")
        cells = interpreter_cells(data)
        if interpreted is not None:
            if cells:
                interpreted.restore()
                interpreted.correct(day, day, cells, data["minutes"])
            else:
                interpreted.withdraw()
            processing.collect_events(interpreted)
        elif cells and not tally.withdrawn:
            self._count(processing, f"interpreter:{data['intervention_id']}", "interpreters", tally.person,
                        tally.agency, day, cells, amount=data["minutes"])

    def on_intervention_retracted(self, event: dict, processing: ProcessingEvent) -> None:
        for what in ("intervention", "interpreter"):
            tally = self._tally(processing, f"{what}:{event['data']['intervention_id']}")
            if tally is not None:
                tally.withdraw()
                processing.collect_events(tally)

    def on_continuity_gap(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is not None:
            self._count(processing, f"gap:{event['id']}", "continuity_gaps", person, data["agency"],
                        _day(data["due"]), [["continuity_gap", NONE]])
            processing.collect_events(person)

    # -- referrals --------------------------------------------------------------------

    def on_partner(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        kinds = self.app.find(PartnerKinds.ID, processing) or PartnerKinds()
        if kinds.kinds.get(data["code"]) != data["kind"]:
            kinds.note(code=data["code"], kind=data["kind"])
        processing.collect_events(kinds)

    def _partner_kind(self, processing: ProcessingEvent, code: str) -> str:
        kinds = self.app.find(PartnerKinds.ID, processing)
        return kinds.of(code) if kinds is not None else "unknown"

    def on_referral_proposed(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        person = self.person(processing, data["client_id"])
        if person is not None:
            self._count(processing, f"referral:{data['referral_id']}", "referrals", person, data["agency"],
                        _when(event), [[self._partner_kind(processing, data["partner"]), "proposed"]])
            processing.collect_events(person)

    def _move(self, processing: ProcessingEvent, referral_id, state: str) -> None:
        tally = self._tally(processing, f"referral:{referral_id}")
        if tally is not None:
            tally.correct(tally.start, tally.end, [[tally.cells[0][0], state]], tally.amount)
            processing.collect_events(tally)

    def on_referral_step(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        state = f"{data['step']}_{data['outcome']}" if data.get("outcome") else data["step"]
        self._move(processing, data["referral_id"], state)

    def on_referral_outcome(self, state: str) -> Policy:
        def policy(event: dict, processing: ProcessingEvent) -> None:
            self._move(processing, event["data"]["referral_id"], state)
        return policy

    def on_referral_reopened(self, event: dict, processing: ProcessingEvent) -> None:
        self._move(processing, event["data"]["referral_id"], "reopened")
