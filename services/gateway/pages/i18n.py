"""The pages in the person's language: interface text from the Babel catalogues under
``locales/`` (English is the source text), reference-data labels (domains, methods)
from the reference data's own NL/FR/EN, language names from CLDR, and dates and
times in Brussels time.

The catalogues are read from their .po files at start (``read_po``) and compiled in
memory: no .mo file is committed or written.
"""
from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format

from shared import catalogues
from shared.contracts import reference

LOCALE_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "en"
TIMEZONE = "Europe/Brussels"
_BRUSSELS = ZoneInfo(TIMEZONE)
# Each language's name in itself: what a person looks for to switch.
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def N_(text: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return text


# The closed lists of the contracts a person reads or chooses from, by code. Domains
# and methods are not here: their labels are the reference data's own.
LEGAL_POSITIONS = {"suspect": N_("Suspect"), "convicted": N_("Convicted person"), "interned": N_("Internee")}
SITUATIONS = {
    "at_liberty_under_conditions": N_("Free under conditions"),
    "at_liberty_awaiting_trial": N_("Free, awaiting trial"),
    "probation": N_("Probation"),
    "conditional_release": N_("Conditional release"),
    "electronic_monitoring": N_("Electronic monitoring"),
    "limited_detention": N_("Limited detention"),
    "prison_leave": N_("Prison leave"),
    "leave_permit": N_("Leave permit"),
    "released_internee_on_trial": N_("Internee released on trial"),
    "internee_on_leave": N_("Internee on leave"),
    "sentence_served": N_("Sentence served"),
    "other": N_("Other"),
    "unknown": N_("Not known"),
}
SUB_KINDS = {
    "listening_ear": N_("A listening ear"),
    "psychosocial_support": N_("Psychosocial support"),
    "information_investigation_trial": N_("Information on the investigation and trial"),
    "information_sentence_execution": N_("Information on sentence execution"),
    "information_internment": N_("Information on internment"),
    "information_justice_assistants": N_("Information on the justice assistants' role"),
    "probation_conditions_support": N_("Support with probation conditions"),
    "reintegration_support": N_("Support with reintegration"),
    "rehabilitation_request": N_("Request for rehabilitation"),
    "budget_support": N_("Budget support"),
    "civil_parties_repayment": N_("Repaying civil parties"),
    "bank_problems": N_("Problems with banks"),
    "provisional_administrator": N_("Provisional administrator"),
    "debt_mediation_start": N_("Starting debt mediation"),
    "residence_status_application": N_("Residence status application"),
    "urgent_medical_aid_application": N_("Urgent medical aid application"),
    "administrative_support": N_("Administrative support"),
    "accompaniment_lawyer": N_("Accompaniment to the lawyer"),
    "accompaniment_ocmw_cpas": N_("Accompaniment to the OCMW/CPAS"),
    "accompaniment_judicial_body": N_("Accompaniment to a judicial body"),
    "accompaniment_justice_assistant": N_("Accompaniment to the justice assistant"),
    "accompaniment_municipality": N_("Accompaniment to the municipality"),
    "accompaniment_health_insurance": N_("Accompaniment to the health insurance fund"),
    "accompaniment_during_leave_permit": N_("Accompaniment during a leave permit"),
    "partner_contact": N_("Contact with the partner"),
    "children_contact": N_("Contact with the children"),
    "family_contact": N_("Contact with the family"),
    "return_home_preparation": N_("Preparing a return home"),
    "referral": N_("Referral"),
    "coordination_of_help": N_("Coordination of help"),
    "follow_up": N_("Follow-up"),
}
PLACES = {"office": N_("At the office"), "home_visit": N_("Home visit"), "prison": N_("In prison"),
          "phone": N_("By phone"), "video": N_("By video"), "elsewhere": N_("Elsewhere")}
INTENSITIES = {"weekly": N_("Weekly"), "fortnightly": N_("Every two weeks"), "monthly": N_("Monthly")}
INTAKE_STATUSES = {"registered": N_("Registered"), "accepted": N_("Accepted"), "declined": N_("Declined"),
                   "waitlisted": N_("On the waitlist")}
URGENCIES = {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}
REFERRAL_STATES = {"proposed": N_("Proposed"), "sent": N_("Sent"), "acknowledged": N_("Received"),
                   "accepted": N_("Accepted by the partner"), "declined": N_("Declined by the partner"),
                   "waitlisted": N_("On a waitlist"),
                   "started": N_("Started"), "completed": N_("Completed"), "dropped_out": N_("Dropped out"),
                   "cancelled": N_("Cancelled by the agency"), "withdrawn": N_("Withdrawn by the agency")}
CONSENT_PURPOSES = {"transfer": N_("Transfer"), "referral": N_("Referral"), "coordination": N_("Coordination"),
                    "family_involvement": N_("Family involvement"),
                    "judicial_information": N_("Information to the judicial authorities")}
CATEGORIES = {"identity": N_("Identity"), "contact": N_("Contact details"), "languages": N_("Languages"),
              "legal_situation": N_("Legal situation"), "help_request": N_("Help request"),
              "trajectory_summary": N_("Trajectory summary"), "interventions": N_("Interventions"),
              "appointments": N_("Appointments"), "referrals": N_("Referrals"), "conditions": N_("Conditions"),
              "attendance": N_("Attendance")}
OUTCOMES = {"held": N_("Held"), "missed": N_("Missed"), "cancelled": N_("Cancelled")}
ROLES = {"social_assistant": N_("Social assistant"), "criminologist": N_("Criminologist"), "jurist": N_("Jurist"),
         "coordinator": N_("Coordinator"), "auditor": N_("Auditor"), "admin": N_("Administrator"),
         "data_protection_officer": N_("Data-protection officer"), "partner": N_("Partner"), "funder": N_("Funder")}
VOCABULARIES = {"legal_position": LEGAL_POSITIONS, "situation": SITUATIONS, "sub_kind": SUB_KINDS,
                "place": PLACES, "intensity": INTENSITIES, "intake_status": INTAKE_STATUSES, "urgency": URGENCIES,
                "referral_state": REFERRAL_STATES, "purpose": CONSENT_PURPOSES, "category": CATEGORIES,
                "outcome": OUTCOMES, "role": ROLES}
# The languages offered as boxes to tick on a client's registration; others are typed as codes.
COMMON_CLIENT_LANGUAGES = ("nl", "fr", "en", "ar", "es", "tr", "ro", "pl", "ru", "pt", "it", "de")

_DOMAINS = reference.intervention_domains()
_METHODS = reference.methods()


def translations(language: str) -> gettext.GNUTranslations:
    return catalogues.translations(LOCALE_DIR, language)


def chosen(language: str | None, accept_languages=None) -> str:
    """The language to show: the person's choice, else what their browser asks for."""
    if language in LANGUAGES:
        return language
    if accept_languages is not None:
        return accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


class Words:
    """Everything a page says, in one language."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._translations = translations(self.language)
        # Parsed once: babel given a language code parses its locale again on every call,
        # a third of the time to render a file of 500 interventions.
        self._locale = Locale.parse(self.language)
        self._moment_pattern = get_datetime_format("medium", locale=self._locale)

    def gettext(self, text: str, **params) -> str:
        translated = self._translations.gettext(text)
        return translated % params if params else translated

    def ngettext(self, singular: str, plural: str, n: int, **params) -> str:
        return self._translations.ngettext(singular, plural, n) % {"num": n, **params}

    def label(self, vocabulary: str, code: str | None) -> str:
        """A code of a closed list as the person reads it; an unknown code as it is."""
        if code is None:
            return ""
        if vocabulary == "domain":
            return _DOMAINS.get(code, {}).get(self.language, code)
        if vocabulary == "method":
            return _METHODS.get(code, {}).get(self.language, code)
        if vocabulary == "language":
            return self._locale.languages.get(code, code)
        known = VOCABULARIES[vocabulary].get(code)
        return self.gettext(known) if known else code

    def options(self, vocabulary: str, codes) -> list[tuple[str, str]]:
        return [(code, self.label(vocabulary, code)) for code in codes]

    def when(self, moment) -> str:
        """A moment in Brussels time, as this language writes it."""
        if not moment:
            return ""
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment)
        # The medium date with the short time: seconds say nothing to a person.
        local = moment.astimezone(_BRUSSELS)
        return self._moment_pattern.format(format_time(local, format="short", locale=self._locale),
                                           format_date(local, format="medium", locale=self._locale))

    def day(self, value) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        return format_date(value, format="long", locale=self._locale)
