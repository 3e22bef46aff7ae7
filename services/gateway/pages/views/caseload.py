"""My caseload: the open trajectories, the most overdue contact first."""
from __future__ import annotations

from services.gateway.pages.app import Page
from services.gateway.pages.i18n import N_


def caseload(page: Page):
    entries = page.call("guidance", "caseload", {"actor": page.actor}, None)
    # Overdue first, then by the next contact due (none yet: last), as guidance orders them too.
    entries = sorted(entries, key=lambda e: (not e.get("overdue"), e.get("next_contact_due") or "9999"))
    return page.render("caseload.html", title=page.t(N_("My caseload")), entries=entries)
