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
    Entry("/app/agenda", N_("My agenda"), CASEWORKERS, "nav-agenda"),
    Entry("/app/clients/find", N_("Find a client"), CASEWORKERS, "nav-find"),
    Entry("/app/clients/new", N_("Register a client"), CASEWORKERS, "nav-register"),
    Entry("/app/partner/referrals", N_("Referrals for my organisation"), frozenset({"partner"}),
          "nav-partner-referrals"),
    Entry("/app/partners", N_("Partner directory"), CASEWORKERS | {"admin"}, "nav-partners"),
    Entry("/app/intakes", N_("Intake decisions"), frozenset({"coordinator"}), "nav-intakes"),
    Entry("/app/waitlist", N_("Waitlist"), frozenset({"coordinator"}), "nav-waitlist"),
    Entry("/app/figures", N_("Figures"), frozenset({"coordinator", "funder"}), "nav-figures"),
    Entry("/app/staff", N_("Staff"), frozenset({"coordinator"}), "nav-staff"),
    Entry("/app/inbox", N_("Inbox"), CASEWORKERS | {"partner"}, "nav-inbox"),
    Entry("/app/admin/accounts/new", N_("Open an account"), frozenset({"admin"}), "nav-open-account"),
    Entry("/app/admin/accounts/reset", N_("Reset an account"), frozenset({"admin"}), "nav-reset-account"),
    Entry("/app/audit", N_("A client's history"), frozenset({"auditor"}), "nav-audit"),
    Entry("/app/audit/verification", N_("Verify the platform's stores"), frozenset({"auditor"}), "nav-verification"),
    Entry("/app/data-protection", N_("Data protection"), frozenset({"admin", "data_protection_officer"}),
          "nav-data-protection"),
    Entry("/app/account", N_("My account"), CASEWORKERS | {"partner", "auditor", "admin", "data_protection_officer",
                                                          "funder"},
          "nav-account"),
)


# Where each role lands after signing in: their everyday task (caseworkers: the caseload;
# funders: the figures, all they may read).
HOMES = {"partner": "/app/partner/referrals", "auditor": "/app/audit", "admin": "/app/admin/accounts/new",
         "data_protection_officer": "/app/data-protection", "funder": "/app/figures"}


def home(role: str | None) -> str:
    return HOMES.get(role, "/app/caseload")


def menu(role: str | None) -> list[Entry]:
    return [entry for entry in MENU if role in entry.roles]
