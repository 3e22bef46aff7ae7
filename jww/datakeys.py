"""The services' data keys, for ops.

``jww keys rewrap [SERVICE ...]``: after a new key-encryption key is mounted as
``JWW_DATA_KEK_FILE`` (the old one as ``JWW_DATA_KEK_PREVIOUS_FILE``), wrap every
client's data key under the new one. No event is read or written again; once it
says so, the old KEK may be removed.

``jww keys erase SERVICE TOMBSTONES``: carry out in SERVICE the erasures another
key store records (a copy of intake's ``shredded_keys``, tab-separated, as psql's
``\\copy`` or sqlite3's ``.mode tabs`` writes it): after a key store was restored
from a backup older than the erasures its follower will not replay (deploy/README.md,
"Backup and restore"). Through the service's own erasure path: keys destroyed,
tombstones left, assignments forgotten; again, nothing more happens."""
from __future__ import annotations

import argparse
import uuid

from shared import config


def add_commands(sub) -> None:
    keys = sub.add_parser("keys", help="the services' data keys (see deploy/README.md, 'Data keys')")
    keys.set_defaults(run=lambda args: keys.print_help() or 2)  # each action sets its own
    actions = keys.add_subparsers(dest="action", required=True)
    p = actions.add_parser("rewrap", help="wrap every data key under the current key-encryption key")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES], metavar="SERVICE")
    p.set_defaults(run=lambda args: rewrap(args.services))
    p = actions.add_parser("erase", help="carry out the erasures a copy of another key store's tombstones records")
    p.add_argument("service", choices=[s for s in config.SERVICES if s != "intake"])
    p.add_argument("tombstones", type=argparse.FileType("r"))
    p.set_defaults(run=lambda args: erase(args.service, args.tombstones))


def rewrap(services: list[str]) -> int:
    from shared import datakeys

    for service in services or list(config.SERVICES):
        settings = config.load(service)
        keys = datakeys.for_store(service, settings.store, {})
        print(f"{service}: {keys.rewrap()} data keys wrapped again under key-encryption key {keys.current.kid}")
    return 0


def erase(service: str, tombstones) -> int:
    from jww.lookup import application_class

    decisions: dict[tuple[uuid.UUID, str], list[str]] = {}
    for number, line in enumerate(tombstones, 1):
        fields = line.rstrip("\n").split("\t")
        try:
            client_id, retention, decision = uuid.UUID(fields[0]), fields[1], fields[4]
        except (IndexError, ValueError):
            print(f"line {number} of {tombstones.name} is not a tombstone (client id, class, key id, when, "
                  f"decision, tab-separated): nothing was erased")
            return 2
        decisions.setdefault((client_id, decision), []).append(retention)
    app = application_class(service)(store=config.load(service).store)
    try:
        done = sum(bool(app.data_keys.shred(client_id, retentions, decision))
                   for (client_id, decision), retentions in decisions.items())
    finally:
        app.close()
    print(f"{service}: {len(decisions)} erasure(s) read, {done} carried out now (the others were already)")
    return 0
