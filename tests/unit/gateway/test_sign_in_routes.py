"""Signing in over HTTP through accounts (WAVE2 7): a token and a refresh token; a
deactivated member's token refused once the gateway has refreshed accounts'
revocations (every 10 s: within 60 s with margin); sign-out; 429 with Retry-After
when throttled or when every password-check slot is taken; and no bearer token
trusted while accounts cannot be asked for too long. Intake and accounts in memory."""
import datetime as dt
import importlib
import inspect
from types import SimpleNamespace

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request

from services.accounts.throttle import Limits, PasswordChecks, Throttle
from services.gateway.api import Gateway
from services.gateway.auth import REFRESH_SECONDS, STALE_SECONDS, Revocations, Tokens
from shared import assertions, context
from shared.config import DEPLOY_DIR, gateway_token_key
from shared.context import RequestContext
from tests.support import fakes
from tests.support.accounts import credentials
from tests.support.fakes import Clock, Link

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # tokens are checked against the real clock
ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}


class World:
    def __init__(self):
        self.clock = Clock(NOW)
        self.intake = fakes.intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.accounts = fakes.accounts(self.clock)
        self.link = Link(self.accounts, self.intake, "intake")
        self.link.deliver()
        self.tokens = Tokens(gateway_token_key({}), dt.timedelta(minutes=15))
        self.revocations = Revocations(clock=self.clock)
        self.gateway = Gateway(self.tokens, self.revocations)
        self.accounts_away = False
        self.calls: list[tuple[str, str]] = []
        self.http = Client(lambda environ, start: self.gateway.handle(Request(environ), self.rpc)(environ, start))

    def rpc(self, service, method, payload=None, precondition=None, timeout=None):
        self.calls.append((service, method))
        if service != "accounts":
            return []  # another service's answer does not matter here
        if self.accounts_away:
            raise ConnectionError("accounts is away")
        module = importlib.import_module("services.accounts.service")
        (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
        previous = context.current()
        context.use(RequestContext(actor=assertions.system_actor(assertions.GATEWAY)))  # as the assertion says
        try:
            return getattr(cls, method)(SimpleNamespace(app=self.accounts, name=service), payload)
        finally:
            context.use(previous)

    def sign_in(self, username, password=None):
        return self.http.post("/auth/token", json={**credentials(username, self.clock()),
                                                   **({"password": password} if password else {})})


@pytest.fixture
def world():
    yield World()
    context.use(RequestContext())


def bearer(response) -> dict:
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_signing_in_gives_a_token_for_the_actor_and_a_refresh_token(world):
    response = world.sign_in("apo-coord")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json["token_type"] == "Bearer" and response.json["expires_in"] == 900
    assert world.tokens.actor(bearer(response)["Authorization"]) == {
        "user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
    refreshed = world.http.post("/auth/refresh", json={"refresh_token": response.json["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json["refresh_token"] != response.json["refresh_token"]
    wrong, unknown = world.sign_in("apo-coord", "sample-apo-sa-1"), world.sign_in("nobody", "x")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["detail"] == unknown.json["detail"] == "wrong username or password"
    assert set(world.http.post("/auth/token", json={"username": "x"}).json["errors"]) == {"password"}


def test_a_deactivated_members_token_is_refused_within_the_refresh_interval_and_they_cannot_sign_in(world):
    token = bearer(world.sign_in("apo-sa-1"))
    assert world.http.get("/caseload", headers=token).status_code == 200
    world.clock.now = dt.datetime.now(dt.timezone.utc)  # accounts and the gateway read the real time too
    world.intake.set_staff_member_active(ADMIN, "apo", "apo-sa-1", active=False)
    world.link.deliver()  # accounts hears of it
    world.clock.now += dt.timedelta(seconds=REFRESH_SECONDS)  # the gateway asks accounts again
    refused = world.http.get("/caseload", headers=token)
    assert refused.status_code == 401 and "revoked" in refused.json["detail"]
    assert world.sign_in("apo-sa-1").status_code == 401
    assert world.http.get("/caseload", headers=bearer(world.sign_in("apo-coord"))).status_code == 200


def test_a_signed_out_token_and_its_session_are_refused_at_once(world):
    signed_in = world.sign_in("auditor-1")
    out = world.http.post("/auth/sign-out", headers=bearer(signed_in))
    assert out.status_code == 200 and out.json == {"signed_out": True}
    assert world.http.get("/caseload", headers=bearer(signed_in)).status_code == 401
    assert world.http.post("/auth/refresh", json={"refresh_token": signed_in.json["refresh_token"]}).status_code == 401
    # Another gateway hears of it at its next refresh.
    other = Revocations(clock=world.clock)
    other.refresh(world.rpc)
    assert world.tokens.claims(bearer(signed_in)["Authorization"])["jti"] in other.tokens


def test_throttled_and_busy_sign_ins_answer_429_with_retry_after_without_checking_a_password(world):
    world.accounts.usernames = Throttle(Limits(free=2, lockout_after=2, lockout_seconds=60), world.clock)
    assert [world.sign_in("sab-coord", "guess").status_code for _ in range(2)] == [401, 401]
    locked = world.sign_in("sab-coord")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "60" and locked.json["code"] == "throttled"
    world.accounts.checks = PasswordChecks(0)  # every slot taken
    busy = world.sign_in("apo-coord")
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1" and busy.json["code"] == "busy"


def test_no_bearer_token_is_trusted_while_accounts_cannot_be_asked_for_too_long(world):
    token = bearer(world.sign_in("apo-coord"))
    assert world.http.get("/caseload", headers=token).status_code == 200  # the gateway asked accounts
    world.accounts_away = True
    world.clock.now += dt.timedelta(seconds=REFRESH_SECONDS)
    assert world.http.get("/caseload", headers=token).status_code == 200  # the last list is recent enough
    world.clock.now += dt.timedelta(seconds=STALE_SECONDS)
    away = world.http.get("/caseload", headers=token)
    assert away.status_code == 503 and ("accounts", "caseload") not in world.calls


def test_a_coordinator_without_the_code_is_told_to_send_it(world):
    missing = world.http.post("/auth/token", json={"username": "apo-coord", "password": "sample-apo-coord"})
    assert missing.status_code == 401 and missing.json["code"] == "totp_required"
    assert "totp" in missing.json["detail"]
    malformed = world.http.post("/auth/token", json={**credentials("apo-coord"), "totp": "12ab"})
    assert malformed.status_code == 422 and set(malformed.json["errors"]) == {"totp"}
