"""What guidance knows of a client that intake registered."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate


class ClientOnRecord(ServiceAggregate):
    """What guidance needs to know of a client intake registered, and which
    trajectory is theirs now. Its id is the client's UUID.

    Where the person stands and what they speak are stored sealed under the client's
    data keys (services/guidance/integration.py, ``SEALED``) and load as ``None`` once
    those are shredded: replaying must not depend on them."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, legal_position: str, languages: list[str], interpreter_needed: bool):
        self.client_id = client_id  # names the client in its state: a snapshot of it is sealed whole
        self.legal_position = legal_position
        self.languages = list(languages or [])  # None: erased
        self.interpreter_needed = interpreter_needed
        self.trajectory_id: UUID | None = None
        self.family_consent = False
        self.legal_hold = False

    @event("TrajectoryFollowed")
    def follow_trajectory(self, trajectory_id: UUID):
        self.trajectory_id = trajectory_id

    @event("LegalHoldNoted")
    def note_legal_hold(self, in_force: bool):
        """Intake decides legal holds (GDPR art. 17(3)); while one is in force,
        guidance's own retention rule leaves the client's data alone."""
        self.legal_hold = in_force

    @event("FamilyConsentNoted")
    def note_family_consent(self, active: bool):
        """Intake holds the client's consents; guidance needs to know only whether
        the family may be involved (DOMAIN.md: it requires the client's agreement)."""
        self.family_consent = active
