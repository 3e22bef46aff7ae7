"""What a signature costs: per event, ours (shared/signing.py: RFC 8785 canonical JSON
of the signed attributes, a detached JWS header, Ed25519) beside a raw Ed25519
signature of the same event's plain JSON bytes, for signing (the relay, a worker
answering a pull) and for verifying (every follower); and per RPC call, the actor
assertion the gateway signs and the service verifies (shared/assertions.py) beside a
raw Ed25519 signature of the same payload's JSON. Microseconds each.
"""
from __future__ import annotations

import time

from bench import report, workload
from bench.resources import Resources, settings
from shared import assertions, signing
from shared.contracts import encode
from shared.outbox import Outbox
from tests.support.samples import INTERVENTION, WORKER

EVENTS = 2_000


def _per_event_us(work, items) -> float:
    started = time.perf_counter()
    for item in items:
        work(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def compare(res: Resources) -> list[report.Row]:
    workdir = res.tempdir()
    intake = settings("intake", {"JWW_STORE_SQLITE_PATH": str(workdir / "intake.sqlite")})
    report.section(f"Signatures: {EVENTS:,} intake events, microseconds per event")
    app = res.closing(workload.BenchIntake(store=intake.store))
    workload.prestore(app, EVENTS)
    outbox = Outbox(app)
    signed = [e for start in range(0, EVENTS, 1000) for e in outbox.read(after=start, until=start + 1000, limit=1000)]
    unsigned = [{k: v for k, v in e.items() if k != signing.ATTRIBUTE} for e in signed]
    keys = {outbox.key.kid: outbox.key.private.public_key()}
    raw_bodies = [encode(e) for e in unsigned]
    raw_signatures = [outbox.key.sign(body) for body in raw_bodies]
    public = outbox.key.private.public_key()

    sign_ours = _per_event_us(lambda e: signing.sign(e, outbox.key), unsigned)
    sign_raw = _per_event_us(outbox.key.sign, raw_bodies)
    verify_ours = _per_event_us(lambda e: signing.verify(e, keys), signed)
    verify_raw = _per_event_us(lambda pair: public.verify(pair[1], pair[0]), list(zip(raw_bodies, raw_signatures)))
    report.detail(f"sign:   ours {sign_ours:6.1f} us/event   raw Ed25519 of the JSON bytes {sign_raw:6.1f} us/event")
    report.detail(f"verify: ours {verify_ours:6.1f} us/event   raw Ed25519 of the JSON bytes {verify_raw:6.1f} us/event")
    assert_ours, assert_raw, check_ours, check_raw = _assertions()
    report.detail(f"assert a call: ours {assert_ours:6.1f} us   raw Ed25519 of the payload {assert_raw:6.1f} us")
    report.detail(f"check a call:  ours {check_ours:6.1f} us   raw Ed25519 of the payload {check_raw:6.1f} us")
    return [
        report.latency_row("sign one event", sign_ours, "raw Ed25519 sign", sign_raw, unit="us"),
        report.latency_row("verify one event", verify_ours, "raw Ed25519 verify", verify_raw, unit="us"),
        report.latency_row("assert one call (gateway)", assert_ours, "raw Ed25519 sign", assert_raw, unit="us"),
        report.latency_row("check one call (service)", check_ours, "raw Ed25519 verify", check_raw, unit="us"),
    ]


def _assertions() -> tuple[float, float, float, float]:
    """The actor assertion of a typical command (an intervention), made and checked."""
    payload = {"actor": WORKER, "client_id": "00000000-0000-4000-8000-000000000000",
               **INTERVENTION, "at": "2026-11-30T10:00:00+01:00"}
    signer, verifier = assertions.Signer(assertions.GATEWAY), assertions.Verifier()
    made = [signer.assertion(WORKER, "guidance", "record_intervention", [payload]) for _ in range(EVENTS)]
    body = encode(payload)
    raw = signer.key.sign(body)
    public = signer.key.private.public_key()
    assert_ours = _per_event_us(lambda _: signer.assertion(WORKER, "guidance", "record_intervention", [payload]),
                                range(EVENTS))
    assert_raw = _per_event_us(lambda _: signer.key.sign(body), range(EVENTS))
    check_ours = _per_event_us(lambda token: verifier.verify(token, "guidance", "record_intervention", [payload]),
                               made)
    check_raw = _per_event_us(lambda _: public.verify(raw, body), range(EVENTS))
    return assert_ours, assert_raw, check_ours, check_raw
