"""``jww`` as built before some event versions were published, for a test of the
upgrade order (WAVE2 18): ``python -m tests.support.old_build TYPE[,TYPE...] serve
guidance``. The types leave the process's catalogue and its policies, as if its code
were older than its upstream's; everything else is the ``jww`` command ops run."""
from __future__ import annotations

import os
import sys
import warnings

# As `jww serve` does, but first: the catalogue's module brings psycopg in, whose
# waits must be eventlet's (jww/processes.py).
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # as jww.main
import eventlet  # noqa: E402

eventlet.monkey_patch()

from shared.contracts import CATALOGUE  # noqa: E402
from shared.store import ServiceApplication  # noqa: E402


def main(argv: list[str]) -> int:
    unpublished = set(argv[0].split(","))
    for type_ in unpublished:
        CATALOGUE.pop(type_)
    reactions = ServiceApplication.reactions
    ServiceApplication.reactions = lambda self: {t: p for t, p in reactions(self).items() if t not in unpublished}
    from jww.main import main as jww

    return jww(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
