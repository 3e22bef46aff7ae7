"""Intake's aggregates, named after what intake workers do."""
from __future__ import annotations

from eventsourcing.domain import event

from shared.store import ServiceAggregate


class Client(ServiceAggregate):
    """A person known to the platform, by a UUID made at registration."""

    @event("Registered")
    def __init__(
        self,
        agency: str,
        registered_by: dict,
        legal_position: str,
        languages: list[str],
        preferred_language: str,
        interpreter_needed: bool,
    ):
        self.agency = agency
        self.registered_by = registered_by
        self.legal_position = legal_position
        self.languages = list(languages)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed

    @event("LanguagesRecorded")
    def record_languages(
        self, languages: list[str], preferred_language: str, interpreter_needed: bool, recorded_by: dict
    ):
        self.languages = list(languages)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed
