"""The words of guidance: the closed lists its commands, events and answers use."""
from shared.contracts.reference import intervention_domains, methods

DOMAINS = tuple(intervention_domains())
METHODS = tuple(methods())
# The sub-kinds of each way of intervening (DOMAIN.md, "The five ways of intervening").
SUB_KINDS = {
    "listening_support": ("listening_ear", "psychosocial_support"),
    "information_guidance": (
        "information_investigation_trial", "information_sentence_execution", "information_internment",
        "information_justice_assistants", "probation_conditions_support", "reintegration_support",
        "rehabilitation_request", "budget_support", "civil_parties_repayment", "bank_problems",
        "provisional_administrator", "debt_mediation_start", "residence_status_application",
        "urgent_medical_aid_application",
    ),
    "assistance_contacts": (
        "administrative_support", "accompaniment_lawyer", "accompaniment_ocmw_cpas", "accompaniment_judicial_body",
        "accompaniment_justice_assistant", "accompaniment_municipality", "accompaniment_health_insurance",
        "accompaniment_during_leave_permit",
    ),
    "relational_network": ("partner_contact", "children_contact", "family_contact", "return_home_preparation"),
    "referral_coordination": ("referral", "coordination_of_help", "follow_up"),
}
PLACES = ("office", "home_visit", "prison", "phone", "video", "elsewhere")
INTENSITIES = ("weekly", "fortnightly", "monthly")
CLOSING_REASONS = (
    "goals_reached", "ended_by_client", "not_reachable", "reimprisoned", "moved", "transferred", "deceased",
)
PROFILES = ("social_assistant", "criminologist", "jurist", "coordinator")
CONDITION_KINDS = ("condition", "prohibition")
AUTHORITIES = (
    "investigating_judge", "council_chamber", "court", "sentence_enforcement_court", "internment_chamber",
    "public_prosecutor", "minister", "other",
)
APPOINTMENT_ACTORS = (
    "lawyer", "ocmw_cpas", "court", "justice_assistant", "municipality", "health_insurance_fund", "doctor",
    "sentence_enforcement_court", "internment_chamber", "other",
)
OUTCOMES = ("held", "missed", "cancelled")
RELATIONS = ("partner", "child", "parent", "sibling", "other_family", "close_one")
CONTACT_KINDS = ("phone", "visit", "meeting", "letter", "video")
PROCEDURE_KINDS = ("rehabilitation", "residence_status")
PROCEDURE_OUTCOMES = ("granted", "refused", "withdrawn")
CERTIFICATE_LANGUAGES = ("nl", "fr")
CERTIFICATE_RECIPIENTS = ("justice_assistant", "court", "sentence_enforcement_court", "internment_chamber",
                          "public_prosecutor", "lawyer", "client")
