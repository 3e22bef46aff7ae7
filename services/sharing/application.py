"""The sharing service's application: the feeds of the organisations clients
consented to (``policies`` decides what goes where; ``domain`` keeps the consents
and the feeds)."""
from __future__ import annotations

import logging

from prometheus_client import Counter

from shared.store import ServiceApplication

from services.sharing.integration import PUBLICATIONS, SEALED
from services.sharing.policies import Policies

log = logging.getLogger(__name__)

NOT_PROVISIONED = Counter(
    "jww_sharing_not_provisioned_total",
    "Copies not made because the recipient organisation's feed has no public key yet (WAVE2 16)",
    ["organisation"])


class SharingApplication(ServiceApplication):
    service_name = "sharing"
    publications = PUBLICATIONS
    sealed = SEALED
    # Each copy advances its organisation's feed, whose stream grows with every entry:
    # kept in memory, a feed is brought up to date from its newer events only (the
    # library's fast-forward, so other instances' entries are seen too). Feeds and
    # consents hold no personal data.
    env = {"AGGREGATE_CACHE_MAXSIZE": "10000"}

    def policies(self):
        return Policies(self).by_type()

    def intake_drained(self, after: int) -> bool:
        """Whether intake published nothing after ``after`` (its position applied
        here); the service asks intake itself (``service.configure``)."""
        return True

    def not_provisioned(self, organisation: str) -> None:
        """A consent names an organisation whose feed is not provisioned: its copies
        are not made (nothing to seal them to), and ops see it."""
        NOT_PROVISIONED.labels(organisation).inc()
        log.warning("feed not provisioned", extra={"organisation": organisation})
