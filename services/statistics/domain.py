"""What statistics keeps: a pseudonym per client, the partners' kinds, and one tally
per thing counted in a figure, as of its latest correction.

Nothing here names a person. A client is a ``Person``, known by a keyed hash of
their id (``pseudonyms``); the pseudonym it holds is random, and sealed with the
client's id under the link's own key, which the client's erasure destroys: the
tallies keep their pseudonym, so the figures do not change, but nothing leads from
the client to them any more.

A follower cannot send a fact back: a correction of something never counted here,
or a second retraction, is absorbed, not refused.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("9a3e5c71-2b8d-4f06-8e1a-6c4d2f9b7e35")


class Person(ServiceAggregate):
    """One client as statistics knows them. Besides the pseudonym, what later facts
    about them need: the stretch of guidance open at each agency (its legal position
    and situation), and when each agency's help request came in."""

    @staticmethod
    def create_id(lookup: str) -> UUID:
        return UUID(hex=lookup[:32])

    @event("Pseudonymised")
    def __init__(self, lookup: str, client_id: UUID | None, pseudonym: str | None):
        # ``lookup`` is the record's own id (a keyed hash of the client's): nothing more.
        self.client_id, self.pseudonym = client_id, pseudonym
        self.stretches: dict[str, dict] = {}  # agency -> {"entry", "start", "legal_position", "situation"}
        self.ended: dict[str, list[str]] = {}  # agency -> [legal position, situation] of its last stretch
        # agency -> {"day": of the first help request still waiting, "urgency": its urgency}
        self.requested: dict[str, dict] = {}

    @property
    def erased(self) -> bool:
        return self.pseudonym is None

    @event("RequestNoted")
    def note_request(self, agency: str, day: dt.date, urgency: str):
        self.requested.setdefault(agency, {"day": day, "urgency": urgency})

    @event("RequestSettled")
    def settle_request(self, agency: str):
        self.requested.pop(agency, None)

    @event("StretchBegun")
    def begin_stretch(self, agency: str, entry: UUID, start: dt.date, legal_position: str, situation: str):
        self.stretches[agency] = {"entry": entry, "start": start, "legal_position": legal_position,
                                  "situation": situation}

    @event("StretchEnded")
    def end_stretch(self, agency: str):
        stretch = self.stretches.pop(agency, None)
        if stretch is not None:
            self.ended[agency] = [stretch["legal_position"], stretch["situation"]]


class PartnerKinds(ServiceAggregate):
    """The kind of each partner of referrals' directory (a referral is counted by the
    kind of partner it went to, not by the partner)."""

    ID = uuid.uuid5(_NAMESPACE, "partner-kinds")

    @staticmethod
    def create_id() -> UUID:
        return PartnerKinds.ID

    @event("Started")
    def __init__(self):
        self.kinds: dict[str, str] = {}

    @event("KindNoted")
    def note(self, code: str, kind: str):
        self.kinds[code] = kind

    def of(self, code: str) -> str:
        return self.kinds.get(code, "unknown")


class Tally(ServiceAggregate):
    """One thing counted: in ``table``, for ``person`` at ``agency``, from ``start``
    to ``end`` (the same day for a single fact, None while it lasts), in each of
    ``cells`` (``[row, column]`` codes), with ``amount`` (minutes, days waited)."""

    @staticmethod
    def create_id(entry_id: UUID) -> UUID:
        return entry_id

    @staticmethod
    def entry_id(what: str) -> UUID:
        """``what``: a keyed hash of the upstream thing counted (``pseudonyms``)."""
        return UUID(hex=what[:32])

    @event("Counted")
    def __init__(self, entry_id: UUID, table: str, person: str, agency: str, start: dt.date, end: dt.date | None,
                 cells: list[list[str]], amount: int):
        self.table, self.person, self.agency = table, person, agency
        self.start, self.end, self.cells, self.amount = start, end, cells, amount
        self.withdrawn = False

    def correct(self, start: dt.date, end: dt.date | None, cells: list[list[str]], amount: int) -> None:
        """The thing was corrected upstream: it counts as it now reads, in full."""
        if self.withdrawn:
            return
        if (start, end, [list(c) for c in cells], amount) == (self.start, self.end, self.cells, self.amount):
            return
        self._corrected(start=start, end=end, cells=cells, amount=amount)

    @event("Corrected")
    def _corrected(self, start: dt.date, end: dt.date | None, cells: list[list[str]], amount: int):
        self.start, self.end, self.cells, self.amount = start, end, cells, amount

    def withdraw(self) -> None:
        """Recorded in error upstream (a retracted intervention, a cancelled referral):
        it no longer counts."""
        if not self.withdrawn:
            self._withdrawn()

    @event("Withdrawn")
    def _withdrawn(self):
        self.withdrawn = True

    def restore(self) -> None:
        """Counted again (a reopened referral)."""
        if self.withdrawn:
            self._restored()

    @event("Restored")
    def _restored(self):
        self.withdrawn = False

    def close(self, end: dt.date) -> None:
        """A stretch that lasted until ``end``."""
        if self.end != end:
            self._closed(end=end)

    @event("Closed")
    def _closed(self, end: dt.date):
        self.end = end
