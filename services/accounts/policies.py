"""What intake's directory facts do here: a staff member added opens their account
(their user id is their username, their profile their role; their password hash
comes from the users file, if it holds one); deactivated, the account can no longer
sign in and every token issued to it before is refused; active again, it may sign
in anew (the tokens issued before stay refused)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from eventsourcing.application import ProcessingEvent

from shared.contracts import event_type

from services.accounts.domain import Account

if TYPE_CHECKING:
    from services.accounts.application import AccountsApplication

STAFF_MEMBER_ADDED = event_type("intake", "staff-member-added", 1)
STAFF_MEMBER_ACTIVE_CHANGED = event_type("intake", "staff-member-active-changed", 1)


class Policies:
    def __init__(self, app: AccountsApplication):
        self.app = app

    def by_type(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        return {STAFF_MEMBER_ADDED: self.open_account, STAFF_MEMBER_ACTIVE_CHANGED: self.note_active}

    def open_account(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        if self.app.find(Account.create_id(data["user_id"]), processing) is not None:
            return  # heard before
        password_hash, totp_seed = self.app.password_of(data["user_id"])
        processing.collect_events(Account(
            username=data["user_id"], user_id=data["user_id"], role=data["profile"], agency=data["agency"],
            source="directory", password_hash=password_hash, totp_seed=totp_seed))

    def note_active(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        account: Account | None = self.app.find(Account.create_id(data["user_id"]), processing)
        if account is None or not account.note_active(data["active"], self.app.clock()):
            return
        processing.collect_events(account)
        if not data["active"]:
            revocations = self.app._revocations(processing)
            revocations.bar(account.user_id, self.app.clock())
            processing.collect_events(revocations)
