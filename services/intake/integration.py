"""What intake publishes: each domain event that changes a client's file or that other
services need, as the integration event its contract in shared/contracts/intake.py
defines. Names, numbers, contact details, questions, notes and reasons in words are
not in any of them.

Each translation reads the domain event alone: a client's and a consent's events
name the client, its agency and who acted; a staff event names its agency by code.
"""
from __future__ import annotations

from shared.contracts import intake as contracts
from shared.contracts import intake_directory as directory
from shared.outbox import publish_as

from services.intake.domain import Agency, Client, Consent, DuplicateCheck, Erasure, LegalHold, NationalNumberClaim


def _staff(e) -> str:
    """A staff fact is about a member of an agency, not a client: its subject names both."""
    return f"staff/{e.agency}/{e.user_id}"


# Domain event class -> its translation; every other domain event stays private.
PUBLICATIONS = {
    # A giving is published twice, each at its own position (WAVE2 18): as version 2
    # from the fact, and as version 1 from the event recorded right after it.
    Consent.Given: publish_as(contracts.ConsentGivenV2, identity="consent_id", actor="given_by"),
    Consent.GivenAgain: publish_as(contracts.ConsentGivenV2, identity="consent_id", actor="given_by"),
    Consent.GivenInV1Terms: publish_as(contracts.ConsentGivenV1, identity="consent_id", actor="given_by"),
    Consent.Withdrawn: publish_as(contracts.ConsentWithdrawnV1, identity="consent_id", actor="withdrawn_by"),
    Erasure.Requested: publish_as(contracts.ErasureRequestedV1, identity="erasure_id", actor="requested_by"),
    Erasure.RequestedAgain: publish_as(contracts.ErasureRequestedV1, identity="erasure_id", actor="requested_by"),
    Erasure.Approved: publish_as(contracts.ErasureApprovedV1, identity="erasure_id", actor="approved_by"),
    Erasure.Refused: publish_as(contracts.ErasureRefusedV1, identity="erasure_id", actor="refused_by"),
    LegalHold.Placed: publish_as(contracts.LegalHoldPlacedV1, actor="placed_by"),
    LegalHold.PlacedAgain: publish_as(contracts.LegalHoldPlacedV1, actor="placed_by"),
    LegalHold.Lifted: publish_as(contracts.LegalHoldLiftedV1, actor="lifted_by"),
    Client.Registered: publish_as(contracts.ClientRegisteredV1, actor="registered_by"),
    Client.LanguagesRecorded: publish_as(contracts.ClientLanguagesRecordedV1, actor="recorded_by"),
    Client.HelpRequestReceived: publish_as(contracts.HelpRequestReceivedV1, actor="received_by"),
    Client.IntakeAccepted: publish_as(contracts.IntakeAcceptedV1, actor="decided_by"),
    Client.IntakeDeclined: publish_as(contracts.IntakeDeclinedV1, actor="decided_by"),
    Client.IntakeWaitlisted: publish_as(contracts.IntakeWaitlistedV1, actor="decided_by"),
    Client.Reassigned: publish_as(contracts.ClientReassignedV1, actor="decided_by"),
    Client.Transferred: publish_as(contracts.ClientTransferredV1, actor="decided_by"),
    Client.LegalSituationChanged: publish_as(contracts.LegalSituationChangedV1, actor="changed_by"),
    Client.ContactDetailsChanged: publish_as(contracts.ContactDetailsChangedV1, actor="changed_by"),
    Client.IntakeReopened: publish_as(contracts.IntakeReopenedV1, actor="reopened_by"),
    Client.IntakeReopenedAfterClosing: publish_as(contracts.IntakeReopenedAfterClosingV1, actor="reopened_by"),
    # A coordinator's finding alone is a step of the settlement, which is published.
    DuplicateCheck.Held: publish_as(contracts.PossibleDuplicateHeldV1, actor="held_by"),
    DuplicateCheck.Settled: publish_as(contracts.DuplicateCheckSettledV1, actor="settled_by"),
    Agency.StaffMemberAdded: publish_as(directory.StaffMemberAddedV1, actor="added_by", subject=_staff),
    Agency.StaffMemberDeactivated: publish_as(
        directory.StaffMemberActiveChangedV1, actor="deactivated_by", subject=_staff,
        derived={"active": lambda e: False}),
    Agency.StaffMemberReactivated: publish_as(
        directory.StaffMemberActiveChangedV1, actor="reactivated_by", subject=_staff,
        derived={"active": lambda e: True}),
}


# Domain event class -> the fact it records: its personal fields are stored sealed
# under the client's data keys (shared.sealing).
SEALED = {
    Client.Registered: contracts.Registration,
    Client.LanguagesRecorded: contracts.Languages,
    Client.HelpRequestReceived: contracts.HelpRequest,
    Client.IntakeAccepted: contracts.Acceptance,
    Client.IntakeDeclined: contracts.Decline,
    Client.IntakeWaitlisted: contracts.Waitlisting,
    Client.Reassigned: contracts.Reassignment,
    Client.Transferred: contracts.Transfer,
    Client.LegalSituationChanged: contracts.LegalSituationChange,
    Client.ContactDetailsChanged: contracts.ContactDetailsChange,
    Client.IntakeReopened: contracts.IntakeReopening,
    Client.IntakeReopenedAfterClosing: contracts.IntakeReopeningAfterClosing,
    Consent.Given: contracts.AboutAConsent,
    Consent.GivenAgain: contracts.AboutAConsent,
    Consent.GivenInV1Terms: contracts.AboutAConsent,
    Consent.Withdrawn: contracts.AboutAConsent,
    Erasure.Requested: contracts.ErasureRequest,
    Erasure.RequestedAgain: contracts.ErasureRequest,
    Erasure.Refused: contracts.ErasureRefusal,
    LegalHold.Placed: contracts.LegalHoldPlacement,
    LegalHold.PlacedAgain: contracts.LegalHoldPlacement,
    LegalHold.Lifted: contracts.LegalHoldLifting,
    NationalNumberClaim.Claimed: contracts.NumberClaim,
    NationalNumberClaim.ClaimedAgain: contracts.NumberClaim,
    DuplicateCheck.Held: contracts.DuplicateHold,
    DuplicateCheck.FindingStated: contracts.DuplicateFinding,
    DuplicateCheck.Settled: contracts.DuplicateSettlement,
}
