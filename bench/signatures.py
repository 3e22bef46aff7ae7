"""What a signature costs per event: ours (shared/signing.py: RFC 8785 canonical JSON
of the signed attributes, a detached JWS header, Ed25519) beside a raw Ed25519
signature of the same event's plain JSON bytes, both in microseconds per event, for
signing (the relay, a worker answering a pull) and for verifying (every follower).
"""
from __future__ import annotations

import time

from bench import report, workload
from bench.resources import Resources, settings
from shared import signing
from shared.contracts import encode
from shared.outbox import Outbox

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
    return [
        report.latency_row("sign one event", sign_ours, "raw Ed25519 sign", sign_raw, unit="us"),
        report.latency_row("verify one event", verify_ours, "raw Ed25519 verify", verify_raw, unit="us"),
    ]
