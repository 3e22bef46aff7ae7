"""Who recorded a fact, as its event keeps it: the staff member's user id and role,
each a field of its own (shared.contracts.referrals.Acted). Their agency is the
record's: only its staff may act on it."""
from __future__ import annotations


def acted(actor: dict) -> dict[str, str]:
    return {"by": actor["user_id"], "by_role": actor["role"]}
