"""``jww``: the platform's command line.

    jww run [SERVICE ...]   every service (or those named) with its relay, and the
                            gateway (the HTTP API), until Ctrl-C
    jww serve SERVICE       one service's RPC workers and followers (scale these out);
                            `jww serve gateway`: the HTTP API
    jww relay SERVICE       one service's outbox relay (exactly one per service)
    jww broker setup        the broker's users, permissions and topology (as an
                            administrator; see jww/broker.py)
    jww db setup [SERVICE ...]
                            each service's own PostgreSQL role and databases (as an
                            administrator; see jww/db.py)
    jww verify [SERVICE ...] [--witness FILE]
                            check the stores: every hash chain, checkpoint and
                            snapshot (see jww/verify.py)
    jww witness SERVICE     audit's copy of a service's checkpoints
    jww verify-export FILE  whether a kept export is what audit signed
    jww keys rewrap [SERVICE ...]
                            wrap the clients' data keys under a new key-encryption key
    jww keys erase SERVICE TOMBSTONES
                            carry out the erasures a copy of intake's tombstones records
    jww timeline | replay | changes | export CLIENT ...
                            an auditor's reading of one client's history
                            (see jww/audit.py)
    jww catalogue           print the AsyncAPI catalogue of integration events
    jww catalogue --publish record new event versions as published
    jww totp USERNAME       a sample user's current one-time code (development)
    jww login | api | register-client | ...
                            the platform through its HTTP API (see jww/api_commands.py)

Settings come from ``deploy/<service>/service.toml`` and the environment (see
``shared/config.py``).
"""
from __future__ import annotations

import sys

if sys.argv[1:2] == ["serve"]:
    # A service process runs on eventlet's green threads (nameko). Patched before any
    # other import: a library that took ``time.sleep`` at import (kombu's reconnect
    # loop does) would otherwise block every green thread while one of them waits,
    # and a service with many followers then never reconnects after a broker
    # restart (each handshake times out while another follower's pause blocks).
    import warnings

    # nameko 2 needs eventlet; its deprecation notice says nothing an operator can act on.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402 (after the patch above, on purpose)
import warnings  # noqa: E402

from jww import api_commands, audit, bootstrap, broker, catalogue, datakeys, db, processes, totp, verify
from shared import config, keys


def parser() -> argparse.ArgumentParser:
    """Every command; each one's ``run`` default is the function that carries it out."""
    the_parser = argparse.ArgumentParser(prog="jww", description=__doc__.split("\n\n")[0])
    sub = the_parser.add_subparsers(dest="command", required=True)
    for module in (processes, broker, db, verify, datakeys, audit, catalogue, api_commands, totp, bootstrap):
        module.add_commands(sub)
    return the_parser


def main(argv: list[str] | None = None) -> int:
    # nameko 2 needs eventlet; its deprecation notice says nothing an operator can act on.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    args = parser().parse_args(argv)
    try:
        if args.command not in ("run", "serve", "relay"):
            # Ops commands (verify, keys, bootstrap-admin...) open stores too; the
            # processes export it themselves, after production's checks of their settings.
            config.export_postgres_password()
        return args.run(args)
    except (config.ConfigError, keys.KeyMissing) as error:
        print(f"jww: {error}", file=sys.stderr)
        return 2
