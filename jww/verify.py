"""``jww verify [SERVICE ...] [--witness FILE]``: check each service's store as an
auditor would: every hash chain, every checkpoint and its copies (the log's, the
relay's file and, given ``--witness``, audit's), every snapshot (shared/evidence.py).
Ops run it where the stores are.

``jww witness SERVICE``: audit's copy of a service's checkpoints, one JSON line each,
printed where audit's store is, for ``jww verify SERVICE --witness`` elsewhere.

``jww verify SERVICE --api``: the same through the platform's HTTP API, as the signed-in
auditor (``jww login``): the service verifies its own store against audit's last
witnessed checkpoint, as a job whose progress is shown, and its signed result is
checked here with the public key the API publishes (/.well-known/jwks.json).

``jww verify-export FILE [--api]``: whether a kept JSON export (``jww export ...
--format json``) is what audit signed, and at which of its checkpoints; with ``--api``,
under the public keys the API publishes (no access to the platform's machines)."""
from __future__ import annotations

import argparse
import json
import sys

from jww.lookup import application_class
from shared import config


def add_commands(sub) -> None:
    p = sub.add_parser("verify", help="check the services' stores: chains, checkpoints, snapshots")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES], metavar="SERVICE")
    p.add_argument("--witness", type=argparse.FileType("r"), metavar="FILE",
                   help="audit's copy of the (one) service's checkpoints, as `jww witness SERVICE` prints it")
    p.add_argument("--api", action="store_true",
                   help="through the HTTP API as the signed-in auditor (jww login), not on the stores")
    p.set_defaults(run=lambda args: through_api(args.services) if args.api else verify(args.services, args.witness))
    p = sub.add_parser("witness", help="print audit's copy of a service's checkpoints (where audit's store is)")
    p.add_argument("service", choices=[s for s in config.SERVICES if s != "audit"])
    p.set_defaults(run=lambda args: witness(args.service))
    p = sub.add_parser("verify-export", help="check that a kept JSON export is what audit signed")
    p.add_argument("export", type=argparse.FileType("r"), metavar="FILE")
    p.add_argument("--api", action="store_true",
                   help="with audit's public keys as the HTTP API publishes them, not this machine's")
    p.set_defaults(run=lambda args: verify_export(args.export, args.api))


def verify_export(file, through_api: bool = False) -> int:
    from services.audit import exports
    from shared import keys

    try:
        export = json.load(file)
    except ValueError:
        print(f"{file.name} is not a JSON export", file=sys.stderr)
        return 2
    public_keys = None
    if through_api:
        from jww.api_client import call

        public_keys = keys.from_jwks(call("GET", "/.well-known/jwks.json")[2], keys.events_key_name("audit"))
    problem = exports.signature_problem(export, public_keys) if isinstance(export, dict) else "it is not an export"
    if problem:
        print(f"{file.name}: not what audit signed: {problem}")
        return 1
    at = export.get("checkpoint")
    where = f"at audit's checkpoint {at['number']} (log position {at['position']})" if at else "before any checkpoint"
    print(f"{file.name}: signed by audit {where}")
    return 0


def through_api(services: list[str], poll_seconds: float = 0.5) -> int:
    """Each service verifies its store as a job; exit 0 when every signed result holds."""
    import time

    from jww.api_client import ApiError, call
    from jww.progress import Bar
    from shared import keys, verification
    from shared.contracts.base import WITNESSED

    _, _, jwks = call("GET", "/.well-known/jwks.json")
    failed = False
    for service in services or list(config.SERVICES):
        try:
            _, _, last = call("GET", f"/audit/witnessed/{service}") if service in WITNESSED else (0, 0, None)
        except ApiError as error:
            if error.status != 404:
                raise
            last = None  # nothing witnessed yet: verified on its own copies
        witnessed = None if last is None else {"number": last["number"], "digest": last["digest"]}
        _, _, job = call("POST", f"/verifications/{service}", {"witnessed_last": witnessed})
        status = {"status": "running", "up_to": 0}
        bar = None
        while status["status"] != "finished":
            time.sleep(poll_seconds)
            _, _, status = call("GET", f"/verifications/{service}/{job['job_id']}")
            bar = bar or Bar(f"{service}: records", total=status["up_to"])
            if status["read"] is not None:
                bar(status["read"])
        bar.close()
        result = status["result"]
        forged = verification.signature_problem(result, keys.from_jwks(jwks, keys.events_key_name(service)))
        if forged:
            failed = True
            print(f"{service}: its result is not what {service} signed: {forged}")
            continue
        for problem in result["problems"]:
            print(f"{service}: {problem}")
        failed = failed or not result["holds"]
        against = f", and audit's checkpoint {witnessed['number']}" if witnessed else ""
        if result["holds"]:
            print(f"{service}: every chain, checkpoint and snapshot holds up to position {result['up_to']}{against}")
    return 1 if failed else 0


def witness(service: str) -> int:
    from services.audit import witness as audit_witness

    audit = application_class("audit")(store=config.load("audit").store)
    try:
        for checkpoint in audit_witness.witnessed(audit, service):
            print(json.dumps(checkpoint, sort_keys=True))
    finally:
        audit.close()
    return 0


def verify(services: list[str], witness_file=None) -> int:
    """Exit 0 when everything holds; otherwise name each problem and exit 1."""
    from jww.progress import Bar
    from shared import evidence

    services = services or list(config.SERVICES)
    if witness_file is not None and len(services) != 1:
        print("--witness is audit's copy of one service's checkpoints: name that one service", file=sys.stderr)
        return 2
    witnessed = None if witness_file is None else [json.loads(line) for line in witness_file if line.strip()]
    failed = False
    for service in services:
        settings = config.load(service)
        try:
            app = application_class(service)(store=settings.store)
        except Exception as error:
            print(f"{service}: cannot open its store ({type(error).__name__})", file=sys.stderr)
            failed = True
            continue
        bar = Bar(f"{service}: records", total=app.recorder.max_notification_id() or 0)
        found = evidence.verify(app, settings.checkpoint_path, witnessed, bar)
        bar.close()
        app.close()
        if found:
            failed = True
            for problem in found:
                print(f"{service}: {problem}")
        else:
            against = " (without audit's witness: see --witness)" if witnessed is None else ", and audit's witness"
            print(f"{service}: every chain, checkpoint and snapshot holds{against}")
    return 1 if failed else 0
