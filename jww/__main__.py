"""``python -m jww``: what the ``jww`` script runs, for a process started with the
interpreter of its parent (``jww run`` starts its children this way)."""
import sys

from jww.main import main

sys.exit(main())
