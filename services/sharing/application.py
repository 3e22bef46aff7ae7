"""The sharing service's application: the feeds of the organisations clients
consented to (``policies`` decides what goes where; ``domain`` keeps the consents
and the feeds)."""
from __future__ import annotations

import logging
from typing import Callable

from prometheus_client import Counter

from shared import keys, recipients, signing
from shared.access import allow
from shared.config import ConfigError
from shared.contracts import CATALOGUE, decode
from shared.contracts.sharing import FEED_TYPES, SOURCES
from shared.store import ServiceApplication

from services.sharing.domain import Consents, Feed, HistoryQueue, covers
from services.sharing.integration import PUBLICATIONS, SEALED
from services.sharing.policies import Policies, instant, split

log = logging.getLogger(__name__)

HISTORY_PAGE = 500  # upstream facts per pull when a consent shares the history

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

    # -- an organisation catching up with its feed -------------------------------------

    def feed(self, actor: dict, organisation: str, after: int = 0, limit: int = 100) -> dict:
        """The organisation's feed entries after sequence ``after``, as published
        (signed, each category sealed to it), for its own partner users and its
        coordinators: what a partner that was away asks for from its last sequence."""
        allow(actor, {"partner", "coordinator"}, "read_feed", agency=organisation,
              elsewhere="this is another organisation's feed")
        # The feed's stream holds its opening, then entry 1 at version 2, and so on.
        positions = self.recorder.positions_in_stream(Feed.create_id(organisation), after + 1, limit + 1)
        more, positions = len(positions) > limit, positions[:limit]
        entries = []
        if positions:
            window = self.outbox.read(after=positions[0] - 1, until=positions[-1],
                                      limit=positions[-1] - positions[0] + 1)
            entries = [e for e in window if e.get("jwwrecipient") == organisation]
        return {"organisation": organisation, "entries": entries,
                "next": entries[-1]["jwwsequence"] if more and entries else None}

    # -- a consent that shares the history too (domain.HistoryQueue) ------------------

    # A page of an upstream's published facts, signed, as a follower pulls a gap:
    # ``(service, after, limit) -> [event]``, set by the service (``service.configure``)
    # or a test; without it no history can be sent.
    upstream_log: Callable[[str, int, int], list[dict]] | None = None

    def share_history(self) -> int:
        """Send, for each consent given with ``share_history``, the client's earlier
        facts it covers that no earlier period of it let through, with its categories;
        the copies and the request's completion are saved together. Returns how many
        copies were made."""
        queue: HistoryQueue | None = self.find(HistoryQueue.create_id())
        if queue is None:
            return 0
        if self.upstream_log is None:
            raise ConfigError("the sharing service was given no way to read the upstream logs")
        made = 0
        for request in list(queue.pending.values()):
            client_id, recipient, purpose = request["client_id"], request["recipient"], request["purpose"]
            consents: Consents = self.repository.get(Consents.create_id(client_id))
            period = consents.in_force(recipient, purpose)
            copies = []
            if period is not None and recipients.public_key(recipient) is not None:
                copies = list(self._earlier(consents, request, set(period["categories"])))
            feed = None
            if copies:
                feed = self.find(Feed.create_id(recipient)) or Feed(organisation=recipient)
                for event, at, plain, blocks in copies:
                    feed.share(client_id, event["id"], event["type"], at, [purpose], plain, blocks)
            queue.complete(client_id, recipient, purpose, len(copies))
            self.save(queue, *([feed] if feed else []))
            made += len(copies)
        return made

    def _earlier(self, consents, request: dict, allowed: set[str]):
        """The client's facts, from every upstream log, recorded before the request's
        consent and in no earlier period of it, that its purpose covers, each with its
        copy's fields and blocks (verified as a follower verifies them)."""
        client = str(request["client_id"])
        for service in SOURCES:
            public = keys.public_keys(keys.events_key_name(service))
            after = 0
            while page := self.upstream_log(service, after, HISTORY_PAGE):
                for raw in page:
                    after = raw["jwwposition"]
                    if raw.get("subject") != client or raw["type"] not in FEED_TYPES:
                        continue
                    signing.verify(raw, public)
                    event = decode(raw)
                    at = instant(event["time"])
                    schema = CATALOGUE[event["type"]]
                    if at >= request["before"] or consents.sent_before(request["recipient"], request["purpose"], at):
                        continue
                    if not covers(request["purpose"], request["recipient"], service, schema.fact, event["data"]):
                        continue
                    plain, blocks = split(schema, raw["data"], allowed)
                    if blocks:
                        yield raw, at, plain, blocks

    def intake_drained(self, after: int) -> bool:
        """Whether intake published nothing after ``after`` (its position applied
        here); the service asks intake itself (``service.configure``). Alone in a
        process (a test, a bench), there is nothing more to wait for."""
        return True

    def not_provisioned(self, organisation: str) -> None:
        """A consent names an organisation whose feed is not provisioned: its copies
        are not made (nothing to seal them to), and ops see it."""
        NOT_PROVISIONED.labels(organisation).inc()
        log.warning("feed not provisioned", extra={"organisation": organisation})
