"""The accounts service over RPC. Only the gateway calls it, as its own system actor:
a person never reaches these methods directly (the gateway's /auth/* endpoints do)."""
import datetime as dt

from eventlet import tpool

from shared import assertions, config, context
from shared.contracts import accounts as contracts
from shared.errors import Forbidden
from shared.rpc import CARRIED_OUT, command, rpc
from shared.service import EventStore, ServiceBase

from services.accounts.application import DEVELOPMENT_LOG_KEY, AccountsApplication
from services.accounts.throttle import PasswordChecks


def configure(app: AccountsApplication, settings) -> None:
    options = settings.options
    app.checks = PasswordChecks(int(options["concurrent_password_checks"]))  # 64 MiB each: sized to the pod
    app.session_lifetime = dt.timedelta(hours=float(options["session_hours"]))
    app.enrolment_lifetime = dt.timedelta(hours=float(options["enrolment_hours"]))
    # Argon2 releases the GIL: in OS threads, checks run side by side and the event loop goes on.
    app.offload = tpool.execute
    # In production `jww serve accounts` has checked both already (shared/production.py:
    # the log key's file is there, long enough and not the development key; the users
    # file is not marked sample), so they are only read here.
    app.log_key = config.secret("JWW_ACCOUNTS_LOG_KEY").encode() or DEVELOPMENT_LOG_KEY
    app.load_users(settings.resolve(options["users"]))


def _gateway_only() -> None:
    if context.current().actor != assertions.system_actor(assertions.GATEWAY):
        raise Forbidden("only the gateway signs people in", rule="role")


class AccountsService(ServiceBase):
    name = "accounts"
    app = EventStore(AccountsApplication, on_start=configure)

    @rpc
    @command(contracts.SignIn)
    def sign_in(self, data: dict) -> dict:
        _gateway_only()
        return self.app.sign_in(**data)

    @rpc
    @command(contracts.Refresh)
    def refresh(self, data: dict) -> dict:
        _gateway_only()
        return self.app.refresh(**data)

    @rpc
    @command(contracts.SignOut)
    def sign_out(self, data: dict) -> dict:
        _gateway_only()
        return self.app.sign_out(**data)

    @rpc
    @command(contracts.Enrol)
    def enrol(self, data: dict) -> dict:
        _gateway_only()
        return self.app.enrol(**data)

    # -- what people ask through the gateway's routes, as themselves ---------------------

    # The answer's enrolment code is shown once: a retry is told it was carried out.
    @rpc
    @command(contracts.OpenAccount, retry=CARRIED_OUT)
    def open_account(self, data: dict) -> dict:
        return self.app.open_account(**data)

    @rpc
    @command(contracts.ResetAccount, retry=CARRIED_OUT)
    def reset_account(self, data: dict) -> dict:
        return self.app.reset_account(**data)

    @rpc
    @command(contracts.ChangePassword)
    def change_password(self, data: dict) -> dict:
        return self.app.change_password(**data)

    @rpc
    @command(contracts.ChooseLanguage)
    def choose_language(self, data: dict) -> dict:
        return self.app.choose_language(**data)

    # The answer's address is shown once: a retry is told it was carried out.
    @rpc
    @command(contracts.CalendarFeedChange, retry=CARRIED_OUT)
    def open_calendar_feed(self, data: dict) -> dict:
        return self.app.calendar_feeds.turn_on(**data)

    @rpc
    @command(contracts.CalendarFeedChange)
    def close_calendar_feed(self, data: dict) -> dict:
        return self.app.calendar_feeds.turn_off(**data)

    @rpc
    @command(contracts.CalendarFeedChange)
    def calendar_feed(self, data: dict) -> dict:
        return self.app.calendar_feeds.state(**data)

    @rpc
    @command(contracts.CalendarFeedOwner)
    def calendar_feed_owner(self, data: dict) -> dict:
        _gateway_only()  # the gateway, for whoever holds the address
        return self.app.calendar_feeds.owner(**data)

    @rpc
    @command()
    def revocations(self, _=None) -> dict:
        _gateway_only()
        return self.app.revocations()
