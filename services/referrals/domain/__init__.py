"""The referrals service's aggregates: the partner directory, what referrals knows
of each client, referrals through their whole lifecycle, and the coordination of
help around a client.

Each aggregate checks its own rules in a public method and only then triggers its
event: an event's body only changes state, since it runs again whenever the
aggregate is loaded. Domain modules import only the standard library,
eventsourcing and ``shared.domain``.
"""
from services.referrals.domain.client import REFERRAL_PURPOSE, ClientOnRecord, NoReferralConsent
from services.referrals.domain.coordination import (
    COORDINATION_PURPOSE, ActionAlreadyDone, AgencyGuidesAlready, AgencyInPlanAlready, CaseConference,
    ConferenceNotHeldYet, CoordinationPlan, NoCoordinationConsent, NoSuchAction, NoSuchCoordinatingAgency,
    NoSuchCoordinationActor,
)
from services.referrals.domain.partner import ON_THE_PLATFORM, Partner, PartnerAnswersItself, PartnerDeactivated
from services.referrals.domain.referral import (
    ACCEPTED, ACKNOWLEDGED, AFTER_AN_ANSWER, AFTER_WITHDRAWAL, BEFORE_AN_ANSWER, CANCELLED, COMPLETED, CORRECTIONS,
    REOPENABLE, REOPENED_TO, WITHDRAWN, CorrectionNotNow, DECLINED, DROPPED_OUT, EXPECTED_STAY, FROM_PSYCHOLOGIST,
    IN_THE_PARTNERS_HANDS, NEXT_STEPS, PARTNER_SIDE, PROPOSED, SENT, STARTED, WAITLISTED, ConsentWithdrawn, Referral,
    ReferralErased, StepNotNext,
)

__all__ = [
    "COORDINATION_PURPOSE", "AgencyGuidesAlready", "AgencyInPlanAlready", "NoCoordinationConsent",
    "NoSuchCoordinatingAgency",
    "ACCEPTED", "ACKNOWLEDGED", "AFTER_WITHDRAWAL", "COMPLETED", "DECLINED", "DROPPED_OUT", "EXPECTED_STAY",
    "FROM_PSYCHOLOGIST", "IN_THE_PARTNERS_HANDS", "NEXT_STEPS", "ON_THE_PLATFORM", "PARTNER_SIDE", "PROPOSED",
    "REFERRAL_PURPOSE", "SENT", "STARTED", "WAITLISTED", "ActionAlreadyDone", "CaseConference", "ClientOnRecord",
    "ConferenceNotHeldYet", "ConsentWithdrawn", "CoordinationPlan", "NoReferralConsent", "NoSuchAction",
    "NoSuchCoordinationActor", "Partner", "PartnerAnswersItself", "PartnerDeactivated", "Referral", "ReferralErased",
    "StepNotNext", "AFTER_AN_ANSWER", "BEFORE_AN_ANSWER", "CANCELLED", "CORRECTIONS", "REOPENABLE", "REOPENED_TO",
    "WITHDRAWN", "CorrectionNotNow",
]
