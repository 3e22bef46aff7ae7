"""The partner's side of a referral, as use cases for the partner's own users (role
"partner", their ``agency`` the partner's code): the referrals sent to their
organisation, the steps that are theirs to record, and notes.

What a partner sees of a referral is what the client's consent allows: always the
referral's handling (its id, state, steps and dates, the domains) and whose it is
(the client's id); the reason, the words of steps and notes and what referrals
knows of the client (the languages they speak) only while the client's consent to
share their data with this partner for a referral is in force. Each read is on the
access log, as any read of a client's file."""
from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shared import access_log
from shared.access import allow
from shared.jsonable import jsonable

from services.referrals.access import PARTNER, addressed_to
from services.referrals.domain import REFERRAL_PURPOSE, SENT, Referral

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication


class PartnerSide:
    def __init__(self, app: ReferralsApplication):
        self.app = app

    def referrals(self, actor: dict) -> list[dict]:
        """The referrals sent to the actor's organisation, newest first."""
        allow(actor, {PARTNER}, "read_partner_referrals")
        shown = [self._shown(self.app.repository.get(i)) for i in self.app.index.addressed_to(actor["agency"])]
        if shown:
            access_log.record(self.app, actor, list(dict.fromkeys(UUID(s["client_id"]) for s in shown)),
                              access_log.CASEWORK, "", "partner_referrals")
        return sorted(shown, key=lambda s: s["sent_at"], reverse=True)

    def referral(self, actor: dict, referral_id: UUID) -> dict:
        referral = addressed_to(self.app.repository, actor, referral_id, "read_partner_referral")
        access_log.record(self.app, actor, [referral.client_id], access_log.CASEWORK, "", "partner_referral")
        return self._shown(referral)

    def record_step(self, actor: dict, referral_id: UUID, step: str, reason: str | None = None,
                    outcome: str | None = None) -> str:
        """A step on the partner's side (the contract allows no other); the lifecycle's
        rules hold as for anyone."""
        referral = addressed_to(self.app.repository, actor, referral_id, "record_partner_step")
        referral.record_step(step, self.app.clock(), reason, outcome, recorded_by=actor)
        self.app.save(referral)
        return referral.state

    def add_note(self, actor: dict, referral_id: UUID, note: str) -> int:
        referral = addressed_to(self.app.repository, actor, referral_id, "add_partner_note")
        referral.add_note(note, self.app.clock(), written_by=actor)
        self.app.save(referral)
        return len(referral.notes)

    def _shown(self, referral: Referral) -> dict:
        record = self.app.client_on_record(referral.client_id)
        consented = record.consents_to(referral.partner, REFERRAL_PURPOSE)

        def words(value):
            return value if consented else None

        return jsonable({
            "referral_id": referral.id, "client_id": referral.client_id, "agency": referral.agency,
            "state": referral.state, "since": referral.state_since, "domains": referral.domains,
            "sent_at": next(h["at"] for h in referral.history if h["state"] == SENT),
            "consent_withdrawn": referral.consent_withdrawn, "consent_in_force": consented,
            "steps": [{"state": h["state"], "at": h["at"], "by": h["by"], "by_role": h["by_role"],
                       "reason": words(h.get("reason")), "outcome": words(h.get("outcome")),
                       # a cancellation, withdrawal or reopening by the agency (issue 20)
                       **({"correction": h["correction"]} if "correction" in h else {})}
                      for h in referral.history],
            "reason": words(referral.reason),
            "client": words({"languages": record.languages, "preferred_language": record.preferred_language}),
            "notes": words(list(referral.notes)),
        })
