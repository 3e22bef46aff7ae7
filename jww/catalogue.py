"""``jww catalogue [--publish]``: the AsyncAPI catalogue of integration events,
printed, or its new versions recorded as published."""
from __future__ import annotations

import json


def add_commands(sub) -> None:
    p = sub.add_parser("catalogue", help="print the AsyncAPI catalogue of integration events")
    p.add_argument("--publish", action="store_true", help="record new event versions as published")
    p.set_defaults(run=lambda args: catalogue(args.publish))


def catalogue(publish: bool) -> int:
    from shared.contracts import catalogue as the_catalogue

    if publish:
        added = the_catalogue.publish()
        print(f"published: {', '.join(added) or 'nothing new'}")
    else:
        print(json.dumps(the_catalogue.asyncapi(), indent=2))
    return 0
