"""What referrals publishes: the lifecycle of each referral and that notes were
added, the case conferences, who helps in the coordination plan and the partner
directory, as the integration events their contracts
in shared/contracts/referrals.py define. Reasons in words, decisions and who the
actors around the person are stay here.

Each translation reads the domain event alone: a referral's events name its
client, agency and partner, so publishing never loads an aggregate. What a
published version says beyond its fact's fields is computed here.
"""
from __future__ import annotations

from shared.contracts import referrals as contracts
from shared.erasure import ErasureCarriedOut
from shared.outbox import publish_as

from services.referrals.domain import (
    ACCEPTED, DECLINED, FROM_PSYCHOLOGIST, WAITLISTED, CaseConference, ClientOnRecord, CoordinationPlan, Partner,
    Referral,
)

ANSWERS = {ACCEPTED, DECLINED, WAITLISTED}  # what the caseworker waits for from the partner


def who_acted(event) -> dict:
    return {"user_id": event.by, "role": event.by_role}


def who_changed_the_directory(event) -> dict | None:
    """None for the sample directory loaded at first start: no one acted."""
    return who_acted(event) if event.by else None


def _partner(event) -> str:
    """A directory fact is about a partner, not a client: its subject is the partner's code."""
    return event.code


def _directory_fact(schema, **options):
    """In the name of the agency the partner is part of (its psychologist), else of none."""
    return publish_as(schema, actor=who_changed_the_directory, subject=_partner, **options)


def _from_psychologist(origin: str | None) -> bool | None:
    return None if origin is None else origin.startswith(FROM_PSYCHOLOGIST)  # none: erased


PUBLICATIONS = {
    Referral.Proposed: publish_as(
        contracts.ReferralProposedV1, identity="referral_id", actor=who_acted,
        derived={"from_psychologist_recommendation": lambda e: _from_psychologist(e.origin)}),
    Referral.StepRecorded: publish_as(
        contracts.ReferralStepRecordedV1, identity="referral_id", actor=who_acted,
        derived={"answered": lambda e: e.step in ANSWERS}),
    Referral.Stalled: publish_as(contracts.ReferralStalledV1, identity="referral_id"),
    Referral.NoteAdded: publish_as(contracts.ReferralNoteAddedV1, identity="referral_id", actor=who_acted),
    # Corrections (issue 20): new facts, so the step's published version stays as it is.
    Referral.Cancelled: publish_as(contracts.ReferralCancelledV1, identity="referral_id", actor=who_acted),
    Referral.Withdrawn: publish_as(contracts.ReferralWithdrawnV1, identity="referral_id", actor=who_acted),
    Referral.Reopened: publish_as(contracts.ReferralReopenedV1, identity="referral_id", actor=who_acted),
    Partner.Registered: _directory_fact(contracts.PartnerRegisteredV1),
    Partner.Changed: _directory_fact(contracts.PartnerChangedV1),
    # A deactivation names the partner only: in no agency's name.
    Partner.Deactivated: _directory_fact(contracts.PartnerDeactivatedV1, agency=lambda e: None),
    Referral.ConsentWithdrawnFlagged: publish_as(contracts.ReferralConsentWithdrawnV1, identity="referral_id"),
    CaseConference.Held: publish_as(contracts.CaseConferenceHeldV1, identity="conference_id", actor=who_acted),
    CaseConference.ActionFallingDue: publish_as(contracts.ConferenceActionFallingDueV1, identity="conference_id"),
    # An actor's event names the client but not the agency (the plan holds it): the
    # envelope names none, as for a notification.
    CoordinationPlan.ActorAdded: publish_as(contracts.CoordinationActorAddedV1, actor=who_acted,
                                            agency=lambda e: None),
    # Another agency joins or leaves the plan: the fact names it in its data, and the
    # envelope names no agency, as for an actor. Leaving on a withdrawal, no one acted here.
    CoordinationPlan.AgencyJoined: publish_as(contracts.CoordinatingAgencyJoinedV1, actor=who_acted,
                                              agency=lambda e: None),
    CoordinationPlan.AgencyLeft: publish_as(contracts.CoordinatingAgencyLeftV1,
                                            actor=lambda e: who_acted(e) if e.by else None, agency=lambda e: None),
    # Recorded by shared code for a client on intake's decision, in no agency's name.
    ErasureCarriedOut.Recorded: publish_as(contracts.ErasureCarriedOutV1, agency=lambda e: None),
}


# Domain event class -> the fact it records: its personal fields are stored sealed
# under the client's data keys (shared.sealing). Every other domain event of
# referrals holds nothing personal (the partner directory is not about a client); a
# test (tests/unit/referrals/test_sealing.py) keeps it so.
SEALED = {
    ClientOnRecord.Recorded: contracts.RegisteredClient,
    ClientOnRecord.ConsentNoted: contracts.NotedConsent,
    Referral.Proposed: contracts.ReferralProposal,
    Referral.StepRecorded: contracts.ReferralStep,
    Referral.Stalled: contracts.ReferralStall,
    Referral.ConsentWithdrawnFlagged: contracts.ReferralConsentWithdrawal,
    Referral.NoteAdded: contracts.ReferralNote,
    Referral.Cancelled: contracts.ReferralCancellation,
    Referral.Withdrawn: contracts.ReferralWithdrawal,
    Referral.Reopened: contracts.ReferralReopening,
    CoordinationPlan.ActorAdded: contracts.CoordinationActor,
    CoordinationPlan.AgencyJoined: contracts.CoordinatingAgency,
    CaseConference.Held: contracts.CaseConference,
}
