"""The main menu: which pages each role reaches from every page, in order."""
from __future__ import annotations

from dataclasses import dataclass

from services.gateway.pages.i18n import N_

CASEWORKERS = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    roles: frozenset[str]
    id: str


MENU: tuple[Entry, ...] = (
    Entry("/app/caseload", N_("My caseload"), CASEWORKERS, "nav-caseload"),
    Entry("/app/clients/find", N_("Find a client"), CASEWORKERS, "nav-find"),
    Entry("/app/clients/new", N_("Register a client"), CASEWORKERS, "nav-register"),
    Entry("/app/inbox", N_("Inbox"), CASEWORKERS | {"partner"}, "nav-inbox"),
)


def menu(role: str | None) -> list[Entry]:
    return [entry for entry in MENU if role in entry.roles]
