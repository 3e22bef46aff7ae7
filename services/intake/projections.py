"""Read models of intake (see shared/readmodel.py)."""
from __future__ import annotations

import unicodedata
from uuid import UUID

from eventsourcing.utils import get_topic

from shared.readmodel import LogTail

from services.intake.domain import Client, Consent, Erasure


def folded(text: str) -> str:
    """Case- and accent-insensitive form, so 'Benali' finds 'BENALI' and 'Müller' 'Muller'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class ClientIndex(LogTail):
    """Who is on file (for search), who waits for an intake decision and who waits on
    the waitlist, per agency. An erased client is no longer found by name or number,
    in this process either (WAVE2 11)."""

    TOPICS = tuple(
        get_topic(cls)
        for cls in (
            Client.Registered, Client.IntakeAccepted, Client.IntakeDeclined, Client.IntakeWaitlisted,
            Client.Transferred, Client.IntakeReopened, Client.IntakeReopenedAfterClosing, Consent.Given,
            Erasure.Approved,
        )
    )

    def __init__(self, app):
        super().__init__(app)
        self.clients: dict[UUID, dict] = {}
        self.waiting: dict[str, dict[UUID, object]] = {}  # agency -> client -> waitlisted at
        self.undecided: dict[str, dict[UUID, object]] = {}  # agency -> client -> registered at
        self.consents: dict[UUID, set[UUID]] = {}  # client -> its consents

    def apply(self, event) -> None:
        if isinstance(event, Consent.Given):
            self.consents.setdefault(event.client_id, set()).add(event.originator_id)
            return
        if isinstance(event, Erasure.Approved):
            entry = self.clients.get(event.client_id)
            if entry is not None:
                entry.update(names="", national_number=None)
            return
        client_id = event.originator_id
        if isinstance(event, Client.Registered):
            self.clients[client_id] = {
                "client_id": client_id,
                "agency": event.agency,
                "names": folded(f"{event.given_names or ''} {event.family_name or ''}"),
                "national_number": event.national_number,
            }
            self.undecided.setdefault(event.agency, {})[client_id] = event.timestamp
            return
        entry = self.clients.get(client_id)
        if entry is None:
            return
        # Every other event of the topics is a decision: the client waits no more where it did.
        for queue in (*self.waiting.values(), *self.undecided.values()):
            queue.pop(client_id, None)
        if isinstance(event, Client.IntakeWaitlisted):
            entry["agency"] = event.agency
            self.waiting.setdefault(event.agency, {})[client_id] = event.timestamp
        elif isinstance(event, Client.Transferred):
            entry["agency"] = event.agency
            if event.worker is None:
                self.waiting.setdefault(event.agency, {})[client_id] = event.timestamp
        elif isinstance(event, Client.IntakeAccepted):
            entry["agency"] = event.agency
        elif isinstance(event, (Client.IntakeReopened, Client.IntakeReopenedAfterClosing)):
            # back in the queue for a decision, since now
            self.undecided.setdefault(event.agency, {})[client_id] = event.timestamp

    def search(self, agency: str, name: str | None, national_number: str | None) -> list[UUID]:
        self.refresh()
        words = folded(name).split() if name else []
        return [
            entry["client_id"]
            for entry in self.clients.values()
            if entry["agency"] == agency
            and (national_number is None or entry["national_number"] == national_number)
            and all(word in entry["names"] for word in words)
        ]

    def consents_of(self, client_id: UUID) -> set[UUID]:
        self.refresh()
        return set(self.consents.get(client_id, ()))

    def undecided_in(self, agency: str) -> list[tuple[UUID, object]]:
        """The agency's registrations no intake decision was taken on yet, oldest first."""
        self.refresh()
        return sorted(self.undecided.get(agency, {}).items(), key=lambda item: item[1])

    def waitlist(self, agency: str) -> list[tuple[UUID, object]]:
        self.refresh()
        return sorted(self.waiting.get(agency, {}).items(), key=lambda item: item[1])


