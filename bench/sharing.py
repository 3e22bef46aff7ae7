"""Sharing's fan-out (issue 16): facts of intake, guidance and referrals copied to the
feeds of 10 organisations under mixed consents, beside the relay's own publish rate
in the same run; what sealing one category block costs; and what reaches a feed
after a consent's withdrawal.

Setup (not timed), SQLite stores in a temporary folder: intake, guidance, referrals
and sharing as the platform has them, following each other in memory; the sample
directory's agencies and partners, a development key pair for each of the 10
organisations, and ``CLIENTS`` clients registered and accepted, with mixed consents:
a fifth consent to no organisation, the others to 1, 2, 3 or 5, each for a purpose
(coordination, referral to a partner, transfer to an agency) and one to three of the
categories the stored facts hold, plus up to two others. Then, each round, every
client has a help request (intake), two interventions (guidance) and a referral to a
partner (referrals) stored upstream.

Ours: the sharing service applying those facts as its consumer does (each
upstream's integration events, read and signed by the upstream's own outbox, handed
to ``shared.follower.Follower`` in batches of the consumer's ``BATCH``: the broker
hop between the upstream relays and sharing's queues is left out, as are the
upstream relays themselves), then its relay (``shared.relay.Relay`` with its
``ConfirmingPublisher``, as ``jww relay sharing`` runs it) publishing every feed
entry, each category block sealed to its organisation (JWE), to a fresh vhost
whose feed queues are bound ``<org>.#`` as ``jww broker setup --organisations``
makes them. Feed entries confirmed per second, from the facts stored upstream to
the last confirm. Before a fact of guidance or referrals is copied, sharing asks
whether intake has published anything it has not applied; here that question is
a read of intake's outbox (the RPC's own query, without the RPC).

Baseline, same run: intake's relay publishing as many stored registrations as
ours published entries, to the same broker (a queue of the feeds' kind bound to
intake's exchange), signed as always; events per second. The two sides take
turns over ``ROUNDS`` rounds, first one, then the other, so drift hits both.

Withdrawal: one client consents to one organisation, then a stream of intake and
guidance facts about the client with the withdrawal recorded in the middle; the
sharing consumer gets guidance's facts before intake's (its queue ahead of
intake's), then intake's, then guidance's again, as a broker would redeliver them.
Counted from the organisation's own feed queue: entries about the client whose
source fact was stored after the withdrawal (target 0).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench import report
from bench.broker import Sink
from bench.relay import relay_seconds
from bench.resources import Resources, settings
from bench.workload import BenchIntake, prestore
from services.guidance.application import GuidanceApplication
from services.intake.application import IntakeApplication
from services.referrals.application import ReferralsApplication
from services.sharing.application import SharingApplication
from services.sharing.integration import WITHDRAWAL_NOTICE
from services.sharing.policies import IntakeNotDrained
from shared import recipients, topology
from shared.config import DEPLOY_DIR
from shared.consumer import BATCH
from shared.contracts import encode
from shared.contracts.base import EVENTS
from shared.contracts.declare import CATEGORIES
from shared.follower import Follower
from shared.messaging import STREAMS, ConfirmingPublisher, exchange_name, queue_name
from shared.relay import Relay
from tests.support.broker import get_all, queue_messages
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

AGENCIES = ["dsr", "sab", "smbg", "wsw", "caw-brussel"]  # of deploy/intake/sample-directory.json
PARTNERS = ["transit", "de-sleutel", "actiris", "ocmw-cpas-brussel", "housing-desk"]  # sample-partners.json
ORGANISATIONS = AGENCIES + PARTNERS
FACT_CATEGORIES = ["help_request", "interventions", "referrals"]  # what store_facts' facts hold
OTHER_CATEGORIES = [c for c in CATEGORIES if c not in FACT_CATEGORIES]
CLIENTS = 400
ORGANISATIONS_PER_CLIENT = (0, 1, 2, 3, 5)  # client i consents to this many, by i % 5
ROUNDS = 2
SEALS = 2_000  # JWE seals timed (and as many raw AES-GCM encryptions)
WITHDRAWAL_FACTS = 40  # about the one client, the withdrawal after half of them
MIN_RATIO = 0.5
SEED = 16


class Holding:
    """A service's application whose saves are held while ``held`` is a list, so
    that one command per client can be stored in one save (bench/workload.py's way)."""

    held: list | None = None

    def save(self, *objs, **kwargs):
        if self.held is not None:
            self.held.extend(obj for obj in objs if obj is not None)
            return []
        return super().save(*objs, **kwargs)

    def batch(self, commands) -> None:
        """Run ``commands`` (each about another client), then store what they did at once."""
        self.held = []
        try:
            for command in commands:
                command()
            held = list({id(obj): obj for obj in self.held}.values())
        finally:
            self.held = None
        self.save(*held)


class Intake(Holding, IntakeApplication):
    pass


class Guidance(Holding, GuidanceApplication):
    pass


class Referrals(Holding, ReferralsApplication):
    pass


class Delivery:
    """One service following another without the broker: the upstream's integration
    events as its relay reads and signs them, handed to the follower as the consumer
    hands them over (``BATCH`` at a time). ``bodies`` reads them ahead, so that the
    upstream's own reading and signing can stay outside a measurement."""

    def __init__(self, app, upstream, feed: str):
        self.upstream = upstream
        self.follower = Follower(app, app.service_name, feed, app.reactions(), pull=self._pull,
                                 dead_letter=self._dead_letter)
        self.read_to = self.follower.position
        self.waiting: list[bytes] = []

    def _pull(self, after: int, until: int | None) -> list[dict]:
        return self.upstream.outbox.read(after=after, until=until, limit=BATCH, streams=(EVENTS,))

    @staticmethod
    def _dead_letter(body, reason) -> None:
        raise AssertionError(f"a genuine upstream event was dead-lettered: {reason}")

    def bodies(self) -> int:
        """Read what the upstream published since, as the broker would hold it."""
        while events := self.upstream.outbox.read(after=self.read_to, limit=1000, streams=(EVENTS,)):
            self.waiting.extend(encode(event) for event in events)
            self.read_to = events[-1]["jwwposition"]
        return len(self.waiting)

    def deliver(self) -> int:
        """Apply everything read (reading first what was not); the count. A batch the
        follower refuses (raises) stays waiting, as the broker redelivers it."""
        self.bodies()
        applied = 0
        while self.waiting:
            self.follower.receive_many(self.waiting[:BATCH])
            applied += len(self.waiting[:BATCH])
            del self.waiting[:BATCH]
        return applied


class World:
    """The four services on SQLite, following each other in memory."""

    def __init__(self, res: Resources, uri: str):
        folder = res.tempdir()

        def store(service):
            return settings(service, {"JWW_STORE_SQLITE_PATH": str(folder / f"{service}.sqlite"),
                                      "AMQP_URI": uri}).store

        self.intake = res.closing(Intake(store=store("intake")))
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = res.closing(Guidance(store=store("guidance")))
        self.referrals = res.closing(Referrals(store=store("referrals")))
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.sharing = res.closing(SharingApplication(store=store("sharing")))
        # What the service asks intake over RPC before copying another service's fact.
        self.sharing.intake_drained = lambda after: not self.intake.outbox.read(after=after, limit=1)
        self.upstream_links = [Delivery(self.intake, self.referrals, "referrals"),  # who the partners are
                               Delivery(self.guidance, self.intake, "intake"),
                               Delivery(self.referrals, self.intake, "intake"),
                               Delivery(self.referrals, self.guidance, "guidance")]
        self.to_sharing = {name: Delivery(self.sharing, app, name) for name, app in
                           (("intake", self.intake), ("guidance", self.guidance), ("referrals", self.referrals))}

    def sync_upstream(self) -> None:
        for _ in range(2):  # referrals' partners reach intake, then intake's facts the others
            for link in self.upstream_links:
                link.deliver()

    def sync_sharing(self) -> None:
        for name in ("intake", "guidance", "referrals"):  # intake first: its consents come before
            self.to_sharing[name].deliver()


def consents(rng: random.Random, count: int) -> list[tuple[str, str, list[str]]]:
    """``count`` organisations with a purpose each and a few categories."""
    out = []
    for organisation in rng.sample(ORGANISATIONS, count):
        if organisation in AGENCIES:
            purpose = rng.choice(("coordination", "coordination", "transfer"))
        else:
            purpose = rng.choice(("referral", "referral", "coordination"))
        # One to three of what the stored facts hold, and up to two others.
        categories = rng.sample(FACT_CATEGORIES, rng.randint(1, 3)) + rng.sample(OTHER_CATEGORIES, rng.randint(0, 2))
        out.append((organisation, purpose, sorted(categories)))
    return out


def clients(world: World, rng: random.Random, count: int) -> list[tuple]:
    """``count`` clients registered, accepted and given their consents: (client_id, partner
    a referral of theirs goes to, consents)."""
    ids: list = []
    world.intake.batch([lambda: ids.append(world.intake.register_client(WORKER, **registration_args()))
                        for _ in range(count)])
    world.intake.batch([lambda c=c: world.intake.accept(COORDINATOR, c, "apo-sa-1") for c in ids])
    world.sync_upstream()  # partners known to intake; trajectories open in guidance
    out = []
    for i, client_id in enumerate(ids):
        given = consents(rng, ORGANISATIONS_PER_CLIENT[i % len(ORGANISATIONS_PER_CLIENT)])
        for organisation, purpose, categories in given:
            world.intake.give_consent(WORKER, client_id, organisation, purpose, categories)
        partners = [o for o, p, _ in given if p == "referral"] or [rng.choice(PARTNERS)]
        out.append((client_id, partners[0], given))
    world.sync_upstream()
    return out


def store_facts(world: World, people: list[tuple]) -> None:
    """One help request, two interventions and one referral per client, stored upstream."""
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    world.intake.batch([lambda c=c: world.intake.receive_help_request(
        WORKER, c, "justice_assistant", ["housing"], "Ik zoek een woning.") for c, _, _ in people])
    for _ in range(2):
        world.guidance.batch([lambda c=c: world.guidance.record_intervention(WORKER, c, **intervention_args(at))
                              for c, _, _ in people])
    world.referrals.batch([lambda c=c, p=p: world.referrals.propose_referral(WORKER, c, p, ["housing"], "a home")
                           for c, p, _ in people])
    world.sync_upstream()


def fan_out_seconds(world: World, relay: Relay) -> tuple[float, float, int]:
    """Time sharing applying every upstream fact waiting, then its relay publishing
    every resulting entry with confirms; (follow seconds, relay seconds, entries)."""
    for link in world.to_sharing.values():
        link.bodies()  # as the broker holds them: the upstream relays' work, not sharing's
    started = time.perf_counter()
    world.sync_sharing()
    followed = time.perf_counter() - started
    before = relay.position
    relayed = relay_seconds(relay)
    entries = len(world.sharing.outbox.read(after=before, until=relay.position, limit=1_000_000))
    return followed, relayed, entries


def feed_counts(uri: str) -> dict[str, int]:
    return {o: queue_messages(uri, topology.feed_queue_name(o)) for o in ORGANISATIONS}


def purge_feeds(uri: str) -> None:
    for organisation in ORGANISATIONS:
        get_all(uri, topology.feed_queue_name(organisation))


def seal_costs() -> tuple[float, float]:
    """Median µs of sealing one category block to an organisation (JWE: an ephemeral
    X25519 key, the agreement, Concat KDF, AES-256-GCM, base64url) and of the raw
    AES-256-GCM encryption of the same bytes with a fixed key."""
    block = json.dumps({"domains": ["housing"], "source": "justice_assistant", "urgency": "normal"},
                       separators=(",", ":"), sort_keys=True).encode()
    key = recipients.public_key(ORGANISATIONS[0])
    aes = AESGCM(AESGCM.generate_key(bit_length=256))

    def timed(fn) -> float:
        times = []
        for _ in range(SEALS):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1e6

    timed(lambda: recipients.seal(key, block))  # warm
    return timed(lambda: recipients.seal(key, block)), timed(lambda: aes.encrypt(os.urandom(12), block, None))


def withdrawal(world: World, relay: Relay, uri: str) -> dict:
    """One client's consent to one organisation withdrawn in the middle of a stream of
    intake and guidance facts about the client; what the organisation's feed queue
    then holds about the client."""
    organisation, purpose = "dsr", "coordination"
    ids: list = []
    world.intake.batch([lambda: ids.append(world.intake.register_client(WORKER, **registration_args()))])
    (client_id,) = ids
    world.intake.accept(COORDINATOR, client_id, "apo-sa-1")
    world.intake.give_consent(WORKER, client_id, organisation, purpose, ["help_request", "interventions"])
    world.sync_upstream()
    world.sync_sharing()
    relay_seconds(relay)
    purge_feeds(uri)

    # Which side of the withdrawal each source fact was stored on, in the order this
    # driver stored them (not by the clocks sharing compares).
    side: dict[str, str] = {}
    read = {"intake": world.intake.head(), "guidance": world.guidance.head()}

    def note(name: str, app, label: str) -> None:
        for event in app.outbox.read(after=read[name], limit=1000, streams=(EVENTS,)):
            side[event["id"]] = label
        read[name] = app.head()

    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    for n in range(WITHDRAWAL_FACTS):
        label = "before" if n < WITHDRAWAL_FACTS // 2 else "after"
        if n == WITHDRAWAL_FACTS // 2:
            world.intake.withdraw_consent(WORKER, client_id, organisation, purpose)
            note("intake", world.intake, "withdrawal")
        if n % 2:
            world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
            note("intake", world.intake, label)
        else:
            world.guidance.record_intervention(WORKER, client_id, **intervention_args(at))
            note("guidance", world.guidance, label)
    withdrawn_at = next(dt.datetime.fromisoformat(e["time"]) for e in world.intake.outbox.read(after=0, limit=1_000_000)
                        if side.get(e["id"]) == "withdrawal")
    world.sync_upstream()  # what guidance and referrals make of intake's facts (sharing not yet)

    refused = 0
    try:  # guidance's queue ahead of intake's: the withdrawal is not applied here yet
        world.to_sharing["guidance"].deliver()
    except IntakeNotDrained:
        refused += 1  # the batch stays unacknowledged: the broker hands it over again
    world.sync_sharing()
    relay_seconds(relay)
    received = [json.loads(m.body) for m in get_all(uri, topology.feed_queue_name(organisation))]
    about = [e for e in received if e["data"]["client_id"] == str(client_id)]
    copies = [e for e in about if e["type"].startswith("be.jww.share.") and "fact_id" in e["data"]]
    sides = [side.get(e["data"]["fact_id"], "unknown") for e in copies]
    last = max((dt.datetime.fromisoformat(e["data"]["recorded"]) for e in copies), default=None)
    return {
        "after": sum(s in ("after", "unknown") for s in sides),  # a fact this driver did not store counts too
        "before": sides.count("before"),
        "stored_before": sum(1 for label in side.values() if label == "before"),
        "refused": refused,
        "notice": sum(e["type"] == WITHDRAWAL_NOTICE for e in about),
        # Copies of facts from before the withdrawal that sharing applied after it (their
        # upstream's queue was behind intake's) reach the feed after the notice.
        "after_notice": next((len(about) - 1 - i for i, e in enumerate(about) if e["type"] == WITHDRAWAL_NOTICE),
                             0),
        "last_after_withdrawal_ms": (last - withdrawn_at).total_seconds() * 1000 if last else float("nan"),
    }


def compare(res: Resources) -> list[report.Row]:
    rng = random.Random(SEED)
    recipients.ensure_development_keys(ORGANISATIONS)
    uri = res.vhost()
    sharing_settings = settings("sharing", {"AMQP_URI": uri})
    world = World(res, uri)
    people = clients(world, rng, CLIENTS)
    given = sum(len(c) for _, _, c in people)
    report.section(
        f"Sharing: {CLIENTS} clients, {given} consents to {len(ORGANISATIONS)} organisations "
        f"({'/'.join(map(str, ORGANISATIONS_PER_CLIENT))} each), {4 * CLIENTS} upstream facts per round, "
        f"{ROUNDS} alternating rounds; SQLite, batch {BATCH} applied, relay batch {sharing_settings.relay_batch}")
    world.sync_sharing()  # registrations and consents applied: what is timed is the facts' fan-out

    relay = Relay(world.sharing.outbox, res.closing(ConfirmingPublisher(
        uri, tuple(exchange_name("sharing", s) for s in STREAMS))), batch=sharing_settings.relay_batch)
    relay_seconds(relay)  # nothing yet but what the consents told (no entry): the relay's position
    purge_feeds(uri)

    baseline_settings = settings("intake", {"JWW_STORE_SQLITE_PATH": str(res.tempdir() / "intake.sqlite"),
                                            "AMQP_URI": uri})
    baseline_app = res.closing(BenchIntake(store=baseline_settings.store))
    sink = Sink(res, uri, exchange_name("intake"), queue_name("bench", "intake"), sharing_settings.queue_type)
    baseline_relay = Relay(baseline_app.outbox, res.closing(ConfirmingPublisher(uri, (exchange_name("intake"),))),
                           batch=baseline_settings.relay_batch)

    seconds = {"follow": 0.0, "relay": 0.0, "ours": 0.0, "baseline": 0.0}
    entries = events = 0
    per_round = 0  # every round stores the same facts under the same consents: as many entries
    for round_ in range(ROUNDS):
        store_facts(world, people)
        for side in (("ours", "baseline") if round_ % 2 == 0 else ("baseline", "ours")):
            if side == "ours":
                followed, relayed, published = fan_out_seconds(world, relay)
                counts = feed_counts(uri)
                if sum(counts.values()) != published:
                    raise AssertionError(f"{published} entries published, the feeds hold {counts}")
                purge_feeds(uri)
                seconds["follow"] += followed
                seconds["relay"] += relayed
                seconds["ours"] += followed + relayed
                entries += published
                per_round = per_round or published
                report.detail(f"round {round_ + 1}: {published:,} entries, by feed "
                              + ", ".join(f"{o} {n}" for o, n in counts.items()))
            else:
                prestore(baseline_app, per_round)
                seconds["baseline"] += relay_seconds(baseline_relay)
                sink.expect(per_round, "intake relay")
                events += per_round
    ours, baseline = entries / seconds["ours"], events / seconds["baseline"]
    report.detail(f"ours {ours:,.0f} entries/s: sharing applying the facts {seconds['follow']:.2f} s "
                  f"({entries / seconds['follow']:,.0f} entries/s alone), its relay sealing, signing and "
                  f"publishing them {seconds['relay']:.2f} s ({entries / seconds['relay']:,.0f}/s alone)")
    report.detail(f"baseline: intake's relay, {events:,} registrations in {seconds['baseline']:.2f} s, "
                  f"{baseline:,.0f}/s")

    seal_us, aes_us = seal_costs()
    report.detail(f"seal one category block: JWE {seal_us:.1f} us, raw AES-256-GCM {aes_us:.1f} us")

    stop = withdrawal(world, relay, uri)
    report.detail(
        f"withdrawal: {WITHDRAWAL_FACTS} intake and guidance facts about one client, withdrawn after "
        f"{WITHDRAWAL_FACTS // 2}; its feed got {stop['before']} of the {stop['stored_before']} stored before "
        f"(those of the consented categories), {stop['after']} stored after; withdrawal notices: {stop['notice']}, "
        f"followed by {stop['after_notice']} copies of earlier facts; "
        f"guidance's facts refused while intake's were not applied: {stop['refused']} time(s); the last entry's "
        f"fact was recorded {stop['last_after_withdrawal_ms']:+.1f} ms from the withdrawal (negative: before)")
    return [
        report.rate_row("sharing fan-out to 10 feeds (SQLite -> RabbitMQ)", ours, "intake relay publish rate",
                        baseline, min_ratio=MIN_RATIO),
        report.latency_row("seal one category block (JWE)", seal_us, "raw AES-256-GCM encrypt", aes_us, unit="us"),
        report.Row("entries delivered after a withdrawal", stop["after"], "entries before it, same client",
                   stop["before"], "entries", target="ours = 0", met=stop["after"] == 0 and stop["notice"] == 1),
    ]
