"""Relay throughput: ``shared.relay.Relay`` against raw publishing with confirms.

Intake registrations are stored first (SQLite in a temporary folder). Ours is the
relay as ``jww relay intake`` runs it (its ``ConfirmingPublisher``, batch size from
the settings) reading, encoding and publishing all of them to a fresh vhost where a
durable queue is bound to intake's exchange. The baselines publish the exact bodies
the relay published (read through the same ``Outbox``) to the same exchange and
queue: kombu's ``Producer.publish`` with ``confirm_publish=True``, and raw py-amqp
with a window of unconfirmed messages as large as the relay's batch, and raw py-amqp
with no confirms at all (the goal: at least half of that). The relay signs
every event it publishes, so each baseline is charged the time of signing the same
events too (WAVE2 6: like with like). The three take turns over the same stored
events, in rounds, so a drift of the machine's load hits them alike.
"""
from __future__ import annotations

import json
import time

from bench import broker, report, workload
from bench.resources import Resources, settings
from shared import signing
from shared.contracts import encode
from shared.messaging import ConfirmingPublisher, exchange_name, queue_name
from shared.outbox import Outbox
from shared.relay import Relay

EVENTS = 20_000  # per side
ROUNDS = 2  # the three sides take turns, EVENTS / ROUNDS each turn, so drift hits all alike


def relay_seconds(relay) -> float:
    """Time ``relay`` publishing everything waiting in its store (connected beforehand)."""
    relay.publisher.connect()
    started = time.perf_counter()
    while relay.run_once():
        pass
    return time.perf_counter() - started


def signing_seconds(messages: list[broker.Message], outbox: Outbox) -> float:
    """What signing these messages again costs: what each baseline is charged."""
    unsigned = [{k: v for k, v in signing_input.items() if k != signing.ATTRIBUTE}
                for signing_input in (json.loads(body) for _, body, _ in messages)]
    started = time.perf_counter()
    for event in unsigned:
        encode(signing.sign(event, outbox.key))
    return time.perf_counter() - started


def store_more(app, outbox: Outbox, count: int) -> list[broker.Message]:
    """Store ``count`` more registrations; the messages the relay is to publish for
    them, encoded (and signed) as it encodes them."""
    after = app.head()
    workload.prestore(app, count)
    messages = [
        (event["type"], encode(event), event["id"])
        for start in range(after, after + count, 1000)
        for event in outbox.read(after=start, until=after + count, limit=1000)
    ]
    if len(messages) != count:
        raise AssertionError(f"the outbox has {len(messages)} new events, expected {count}")
    return messages


def compare(res: Resources) -> list[report.Row]:
    workdir = res.tempdir()
    uri = res.vhost()
    intake = settings("intake", {"JWW_STORE_SQLITE_PATH": str(workdir / "intake.sqlite"), "AMQP_URI": uri})
    batch = intake.relay_batch
    report.section(
        f"Relay: {EVENTS:,} stored intake events per side published with confirms (batch {batch}, "
        f"{ROUNDS} alternating rounds)"
    )
    app = res.closing(workload.BenchIntake(store=intake.store))
    outbox = Outbox(app)
    exchange = exchange_name("intake")
    sink = broker.Sink(res, uri, exchange, queue_name("bench", "intake"), intake.queue_type)
    relay = Relay(
        outbox, res.closing(ConfirmingPublisher(uri, (exchange,))), batch=batch, poll_seconds=intake.relay_poll_seconds
    )

    per_round = EVENTS // ROUNDS
    seconds = {"ours": 0.0, "kombu": 0.0, "window": 0.0, "unconfirmed": 0.0}
    for _ in range(ROUNDS):
        messages = store_more(app, outbox, per_round)
        signing_cost = signing_seconds(messages, outbox)
        seconds["ours"] += relay_seconds(relay)
        sink.expect(per_round, "relay")
        seconds["kombu"] += broker.kombu_confirmed(uri, exchange, messages) + signing_cost
        sink.expect(per_round, "kombu")
        seconds["window"] += broker.amqp_windowed(uri, exchange, messages, window=batch) + signing_cost
        sink.expect(per_round, "py-amqp")
        seconds["unconfirmed"] += broker.amqp_unconfirmed(uri, exchange, messages) + signing_cost
        sink.expect(per_round, "unconfirmed")
    ours, kombu_rate, window_rate, unconfirmed_rate = (
        per_round * ROUNDS / seconds[side] for side in ("ours", "kombu", "window", "unconfirmed"))
    report.detail(f"ours (Relay + ConfirmingPublisher)           {ours:,.0f}/s")
    report.detail(f"raw kombu publish, confirm_publish=True      {kombu_rate:,.0f}/s   (each signing too)")
    report.detail(f"raw py-amqp, window of {batch} unconfirmed      {window_rate:,.0f}/s   (each signing too)")
    report.detail(f"raw py-amqp, no confirms                     {unconfirmed_rate:,.0f}/s   (each signing too)")
    return [
        report.rate_row("relay (SQLite -> RabbitMQ)", ours, "raw kombu confirm_publish", kombu_rate, min_ratio=0.7),
        report.rate_row("relay (SQLite -> RabbitMQ)", ours, f"raw py-amqp window {batch}", window_rate),
        report.rate_row("relay (SQLite -> RabbitMQ)", ours, "raw unconfirmed persistent publish", unconfirmed_rate,
                        min_ratio=0.5),
    ]
