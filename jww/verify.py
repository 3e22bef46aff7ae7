"""``jww verify [SERVICE ...]``: recompute every hash chain in the services' stores
and check the relays' signed checkpoints of their heads."""
from __future__ import annotations

import sys

from jww.lookup import application_class
from shared import config


def add_commands(sub) -> None:
    p = sub.add_parser("verify", help="recompute every hash chain in the services' stores")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES], metavar="SERVICE")
    p.set_defaults(run=lambda args: verify(args.services))


def verify(services: list[str]) -> int:
    """Exit 0 when every chain holds; otherwise name each broken link and exit 1."""
    from jww.progress import Bar
    from shared import chain, checkpoints

    failed = False
    for service in services or list(config.SERVICES):
        settings = config.load(service)
        try:
            app = application_class(service)(store=settings.store)
        except Exception as error:
            print(f"{service}: cannot open its store ({type(error).__name__})", file=sys.stderr)
            failed = True
            continue

        bar = Bar(f"{service}: records", total=app.recorder.max_notification_id() or 0)
        found = [f"BROKEN {link}" for link in chain.verify(app.recorder, bar)]
        found += [f"CHECKPOINT {problem}" for problem in checkpoints.check(app.recorder, settings.checkpoint_path)]
        bar.close()
        if found:
            failed = True
            for problem in found:
                print(f"{service}: {problem}")
        else:
            print(f"{service}: every chain holds, and every signed checkpoint")
        app.close()
    return 1 if failed else 0
