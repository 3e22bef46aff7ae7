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
        # Issue 16, item 5: what each agency reads after a transfer.
        self.transfer_consents: dict[str, list[str]] = {}  # agency -> categories of the consent in force
        self.transfers: list[dict] = []  # oldest first

    @event("TrajectoryFollowed")
    def follow_trajectory(self, trajectory_id: UUID):
        self.trajectory_id = trajectory_id

    def note_legal_position(self, legal_position: str) -> None:
        """Intake recorded a change of where the client stands (issue 20)."""
        self._legal_position_noted(client_id=self.client_id, legal_position=legal_position)

    @event("LegalPositionNoted")
    def _legal_position_noted(self, client_id: UUID, legal_position: str):  # client_id: whose keys seal it
        self.legal_position = legal_position

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

    @event("TransferConsentNoted")
    def note_transfer_consent(self, recipient: str, categories: list[str] | None):
        """The client's consent to a transfer to ``recipient`` names these categories
        (None: withdrawn). Intake holds the consent; guidance needs its categories at
        the transfer, to show the new agency the earlier trajectory in them only."""
        if categories is None:
            self.transfer_consents.pop(recipient, None)
        else:
            self.transfer_consents[recipient] = list(categories)

    def note_transfer(self, from_agency: str, agency: str, at: str, from_trajectory: UUID | None,
                      to_trajectory: UUID | None) -> None:
        """Intake transferred the client; the consent in force for it names the
        categories the new agency reads of what was recorded before."""
        self._transfer_noted(from_agency=from_agency, agency=agency, at=at,
                             categories=self.transfer_consents.get(agency, []),
                             from_trajectory=from_trajectory, to_trajectory=to_trajectory)

    @event("TransferNoted")
    def _transfer_noted(self, from_agency: str, agency: str, at: str, categories: list[str],
                        from_trajectory: UUID | None, to_trajectory: UUID | None):
        self.transfers.append({"from_agency": from_agency, "agency": agency, "at": at,
                               "categories": list(categories), "from_trajectory": from_trajectory,
                               "to_trajectory": to_trajectory})

    def arrival_of(self, agency: str) -> dict | None:
        """The transfer that brought the client to ``agency``, if the client is there now by one."""
        if self.transfers and self.transfers[-1]["agency"] == agency:
            return self.transfers[-1]
        return None

    def left_by(self, agency: str) -> dict | None:
        """The last transfer away from ``agency``."""
        for transfer in reversed(self.transfers):
            if transfer["from_agency"] == agency:
                return transfer
        return None
