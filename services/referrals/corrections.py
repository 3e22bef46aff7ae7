"""Corrections of a referral, as use cases (issue 20): the agency cancels one before
the partner answered, withdraws one after it answered, reopens one the client
dropped out of, each with a reason. Each is a fact of its own: the steps before it
stay on record, and the partner learns of it through its feed (the sharing service
copies the published fact while the client's consent to that partner is in force).

Who may: the casework staff of the agency whose referral it is, while that agency
guides the client, as for sending it (``access.referral_for``); a partner's own
users answer, they do not correct. The referral's state decides what is possible
(``domain.referral``); reopening sends the referral to the partner again, so it
needs what sending needs: the partner still takes referrals and the client's
consent to it is in force."""
from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from services.referrals.access import referral_for
from services.referrals.domain import REOPENABLE, Referral

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication


class Corrections:
    def __init__(self, app: ReferralsApplication):
        self.app = app

    def cancel(self, actor: dict, referral_id: UUID, reason: str) -> str:
        referral = referral_for(self.app.repository, actor, referral_id, "cancel_referral")
        referral.cancel(reason, self.app.clock(), cancelled_by=actor)
        return self._saved(referral)

    def withdraw(self, actor: dict, referral_id: UUID, reason: str) -> str:
        referral = referral_for(self.app.repository, actor, referral_id, "withdraw_referral")
        referral.withdraw(reason, self.app.clock(), withdrawn_by=actor)
        return self._saved(referral)

    def reopen(self, actor: dict, referral_id: UUID, reason: str) -> str:
        referral = referral_for(self.app.repository, actor, referral_id, "reopen_referral")
        # A state that allows no reopening is refused for that, whatever the consents.
        if referral.state in REOPENABLE and not referral.erased:
            self.app.partner(referral.partner).expect_active()  # a deactivated partner takes no one back
            self.app.client_on_record(referral.client_id).expect_referral_consent(referral.partner)
        referral.reopen(reason, self.app.clock(), reopened_by=actor)
        return self._saved(referral)

    def _saved(self, referral: Referral) -> str:
        self.app.save(referral)
        return referral.state
