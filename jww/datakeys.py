"""``jww keys rewrap [SERVICE ...]``: after a new key-encryption key is mounted as
``JWW_DATA_KEK_FILE`` (the old one as ``JWW_DATA_KEK_PREVIOUS_FILE``), wrap every
client's data key under the new one. No event is read or written again; once it
says so, the old KEK may be removed."""
from __future__ import annotations

from shared import config


def add_commands(sub) -> None:
    keys = sub.add_parser("keys", help="the services' data keys (see deploy/README.md, 'Data keys')")
    keys.set_defaults(run=lambda args: keys.print_help() or 2)  # each action sets its own
    actions = keys.add_subparsers(dest="action", required=True)
    p = actions.add_parser("rewrap", help="wrap every data key under the current key-encryption key")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES], metavar="SERVICE")
    p.set_defaults(run=lambda args: rewrap(args.services))


def rewrap(services: list[str]) -> int:
    from shared import datakeys

    for service in services or list(config.SERVICES):
        settings = config.load(service)
        keys = datakeys.for_store(service, settings.store, {})
        print(f"{service}: {keys.rewrap()} data keys wrapped again under key-encryption key {keys.current.kid}")
    return 0
