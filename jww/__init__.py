"""``jww``: the platform's command line (``jww.main``).

It sits above ``shared/`` and ``services/``: it starts their processes, opens their
stores and drives the HTTP API, so it may import any service, while ``shared/``
(plumbing) imports none.
"""
