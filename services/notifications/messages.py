"""Every message in the recipient's language, from gettext catalogues.

The catalogues are the .po files under ``locale/`` (English is the source text);
Babel reads them and formats dates for each language, so no message is put
together by hand per language.
"""
from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path

from babel.dates import format_date, format_datetime

from shared import catalogues

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("nl", "fr", "en")
TIMEZONE = "Europe/Brussels"

_ = lambda text: text  # noqa: E731  marks the msgids below for extraction

ACTORS = {
    "lawyer": _("the lawyer"), "ocmw_cpas": _("the OCMW/CPAS"), "court": _("the court"),
    "justice_assistant": _("the justice assistant"), "municipality": _("the municipality"),
    "health_insurance_fund": _("the health insurance fund"), "doctor": _("the doctor"),
    "sentence_enforcement_court": _("the sentence enforcement court"),
    "internment_chamber": _("the internment chamber"), "other": _("another actor"),
}


def _translations(language: str) -> gettext.NullTranslations:
    return catalogues.translations(LOCALE_DIR, language)


def language_for(languages: list[str]) -> str:
    """The first of the recipient's languages we have messages in; English otherwise."""
    return next((lang for lang in languages if lang in LANGUAGES), "en")


class Message:
    """Renders in one language: ``t`` translates, the rest formats."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else "en"
        self._gettext = _translations(self.language).gettext

    def t(self, text: str, **params) -> str:
        return self._gettext(text).format(**params)

    def when(self, moment: dt.datetime) -> str:
        return format_datetime(moment, format="medium", tzinfo=TIMEZONE, locale=self.language)

    def day(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.language)

    def actor(self, code: str) -> str:
        return self.t(ACTORS.get(code, ACTORS["other"]))
