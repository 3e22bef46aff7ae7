"""Accounts follow intake's directory, and sign-in is safe: throttled per username
and per address with backoff and a lockout, with a cap on concurrent password checks
(issue 17 parts 2 and 3). In memory, on a clock the test moves."""
import datetime as dt
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor


from services.accounts.application import CHECKS_REFUSED, AccountsApplication
from services.accounts.throttle import USERNAME_LIMITS, Limits, Throttle
from services.accounts.domain import Account
from shared.config import DEPLOY_DIR
from shared.contracts import accounts as contracts
from tests.support.accounts import totp as totp_of
from tests.support.declarations import declared_names, event_fields
from tests.support import fakes

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}


def sign_in(accounts, username, password=None, client="198.51.100.7", totp=None):
    code = totp_of(username, accounts.clock()) if totp is None else totp
    return accounts.sign_in(username, f"sample-{username}" if password is None else password, client, code)


def test_directory_members_and_the_files_roles_sign_in_with_their_sample_passwords(world):
    _, accounts, _ = world
    member = sign_in(accounts, "apo-sa-1")
    assert member["outcome"] == "signed_in"
    assert member["actor"] == {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
    assert sign_in(accounts, "auditor-1")["actor"]["role"] == "auditor"
    assert sign_in(accounts, "transit-1")["actor"] == {"user_id": "transit-1", "role": "partner", "agency": "transit"}
    wrong, unknown = sign_in(accounts, "apo-sa-1", "sample-apo-coord"), sign_in(accounts, "nobody", "x")
    assert wrong == unknown == {"outcome": "refused", "actor": None, "session_id": None, "refresh_token": None,
                                "retry_after": None}


def test_a_file_user_in_a_directory_role_the_directory_never_named_cannot_sign_in(clock):
    accounts = fakes.accounts(clock)  # intake not followed yet: no directory member known
    assert sign_in(accounts, "apo-sa-1")["outcome"] == "refused"
    assert sign_in(accounts, "admin-1")["outcome"] == "signed_in"


def test_a_deactivated_member_cannot_sign_in_nor_refresh_and_their_tokens_are_revoked(world, clock):
    intake, accounts, link = world
    session = sign_in(accounts, "apo-crim-1")
    assert accounts.refresh(session["refresh_token"])["outcome"] == "signed_in"
    clock.now += dt.timedelta(minutes=1)
    intake.set_staff_member_active(ADMIN, "apo", "apo-crim-1", active=False)
    link.deliver()
    assert sign_in(accounts, "apo-crim-1")["outcome"] == "refused"
    assert accounts.revocations()["users"]["apo-crim-1"] == clock.now.isoformat()
    # The refresh token was rotated once; neither the old nor any other works now.
    assert accounts.refresh(session["refresh_token"])["outcome"] == "refused"
    intake.set_staff_member_active(ADMIN, "apo", "apo-crim-1", active=True)
    link.deliver()
    assert sign_in(accounts, "apo-crim-1")["outcome"] == "signed_in"
    assert "apo-crim-1" in accounts.revocations()["users"]  # tokens from before the deactivation stay refused


def test_a_refresh_token_is_used_once_and_sign_out_closes_the_session(world, clock):
    _, accounts, _ = world
    first = sign_in(accounts, "apo-coord")
    second = accounts.refresh(first["refresh_token"])
    assert second["outcome"] == "signed_in" and second["refresh_token"] != first["refresh_token"]
    assert accounts.refresh(first["refresh_token"])["outcome"] == "refused"
    assert accounts.refresh("not.a-token")["outcome"] == "refused"
    accounts.sign_out("apo-coord", "jti-1", clock.now + dt.timedelta(minutes=15), second["session_id"])
    assert accounts.refresh(second["refresh_token"])["outcome"] == "refused"
    assert accounts.revocations()["tokens"] == {"jti-1": (clock.now + dt.timedelta(minutes=15)).isoformat()}
    clock.now += dt.timedelta(minutes=16)
    assert accounts.revocations()["tokens"] == {}  # expired anyway: forgotten


def test_failures_back_off_exponentially_then_lock_the_username_until_the_window_passes(world, clock):
    _, accounts, _ = world
    waits = []
    for _ in range(USERNAME_LIMITS.lockout_after):
        assert sign_in(accounts, "sab-coord", "guess")["outcome"] == "refused"
        waits.append(accounts.usernames.wait(f"user:{accounts.user_hash('sab-coord')}"))
        clock.now += dt.timedelta(seconds=waits[-1])  # the attacker waits just long enough
    assert waits[:USERNAME_LIMITS.free] == [0] * USERNAME_LIMITS.free
    backoff = waits[USERNAME_LIMITS.free:-1]
    assert backoff == [2 ** i for i in range(len(backoff))]  # 1, 2, 4, ... seconds
    assert waits[-1] == USERNAME_LIMITS.lockout_seconds
    clock.now -= dt.timedelta(seconds=waits[-1])  # back to the moment of the lockout
    # Locked: even the right password is not checked, from any address.
    locked = sign_in(accounts, "sab-coord", client="203.0.113.9")
    assert locked["outcome"] == "throttled" and locked["retry_after"] == USERNAME_LIMITS.lockout_seconds
    clock.now += dt.timedelta(seconds=USERNAME_LIMITS.lockout_seconds + 1)
    assert sign_in(accounts, "sab-coord")["outcome"] == "signed_in"
    assert accounts.usernames.wait(f"user:{accounts.user_hash('sab-coord')}") == 0  # cleared by the success


def test_one_address_failing_for_many_usernames_is_throttled_too(world, clock):
    _, accounts, _ = world
    accounts.addresses = Throttle(Limits(free=4, lockout_after=8), clock)  # the same rule, smaller, to run fast
    outcomes = [sign_in(accounts, f"user-{i}", "guess", client="192.0.2.1")["outcome"] for i in range(6)]
    assert outcomes[:5] == ["refused"] * 5 and outcomes[5] == "throttled"
    assert sign_in(accounts, "dsr-sa-1", client="192.0.2.2")["outcome"] == "signed_in"  # another address


def test_failed_sign_ins_are_logged_by_a_keyed_hash_of_the_username_never_the_name(world, caplog):
    _, accounts, _ = world
    with caplog.at_level(logging.WARNING, logger="services.accounts.application"):
        sign_in(accounts, "apo-coord", "wrong")
    (record,) = [r for r in caplog.records if r.getMessage() == "sign-in refused"]
    assert record.user_hash == accounts.user_hash("apo-coord") and len(record.user_hash) == 16
    assert "apo-coord" not in caplog.text and "wrong" not in caplog.text
    accounts.log_key = b"another key of thirty-two bytes or more"
    assert accounts.user_hash("apo-coord") != record.user_hash  # keyed: not a plain hash anyone can compute


def test_fifty_parallel_wrong_passwords_meet_the_cap_and_the_throttle_and_the_user_signs_in_after(world, clock):
    _, accounts, _ = world
    running, most = [0], [0]
    lock = threading.Lock()

    def counted(fn, *args):  # the real argon2 check, counting how many run at once
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return fn(*args)
        finally:
            with lock:
                running[0] -= 1

    accounts.offload = counted
    refused_before = CHECKS_REFUSED._value.get()
    start = threading.Barrier(50)

    def attempt(_):
        start.wait()
        return sign_in(accounts, "dsr-coord", "guess")["outcome"]

    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert most[0] <= accounts.checks.limit == 4
    assert outcomes.count("busy") > 0 and CHECKS_REFUSED._value.get() - refused_before == outcomes.count("busy")
    assert outcomes.count("refused") <= 50 - outcomes.count("busy")
    # A second burst meets the throttle: no password is checked at all.
    with ThreadPoolExecutor(50) as pool:
        again = list(pool.map(lambda _: sign_in(accounts, "dsr-coord", "guess")["outcome"], range(50)))
    assert "throttled" in again and most[0] <= 4
    # Whatever the lock, the real user signs in once the lockout window has passed.
    clock.now += dt.timedelta(seconds=USERNAME_LIMITS.lockout_seconds + 1)
    assert sign_in(accounts, "dsr-coord")["outcome"] == "signed_in"


def test_a_refresh_token_used_twice_at_once_works_once(world):
    _, accounts, _ = world
    token = sign_in(accounts, "sab-jur-1")["refresh_token"]
    start = threading.Barrier(8)

    def refresh(_):
        start.wait()
        return accounts.refresh(token)["outcome"]

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(refresh, range(8)))
    assert sorted(outcomes) == ["refused"] * 7 + ["signed_in"]


def test_the_answers_fit_their_contracts_and_the_events_their_declarations(world, clock):
    _, accounts, _ = world
    signed_in = sign_in(accounts, "apo-coord")
    for answer in (signed_in, sign_in(accounts, "apo-coord", "wrong"), accounts.refresh(signed_in["refresh_token"])):
        assert contracts.SignInAnswer().load(answer) == answer
    accounts.sign_out("apo-coord", "jti-2", clock.now + dt.timedelta(minutes=5), signed_in["session_id"])
    assert contracts.RevocationsAnswer().load(accounts.revocations())
    assert event_fields(Account.Opened) == declared_names(contracts.Account)
    assert event_fields(Account.ActiveChanged) == set(contracts.AccountActivity._declared_fields)
    assert event_fields(Account.SessionOpened) - {"now"} == set(contracts.Session._declared_fields)


def test_coordinators_auditors_and_admins_need_their_code_and_others_do_not(world, clock):
    _, accounts, _ = world
    assert sign_in(accounts, "apo-sa-1", totp="")["outcome"] == "signed_in"  # no second factor enrolled
    assert sign_in(accounts, "apo-coord", totp="")["outcome"] == "code_required"
    assert accounts.usernames.wait(f"user:{accounts.user_hash('apo-coord')}") == 0  # the password was right
    late = totp_of("apo-coord", clock.now - dt.timedelta(minutes=2))
    assert sign_in(accounts, "apo-coord", totp=late)["outcome"] == "refused"  # an old code: a failure
    assert sign_in(accounts, "apo-coord", "wrong", totp=totp_of("apo-coord", clock.now))["outcome"] == "refused"
    assert sign_in(accounts, "apo-coord")["outcome"] == "signed_in"
    assert sign_in(accounts, "auditor-1", totp="")["outcome"] == "code_required"
    assert sign_in(accounts, "admin-1")["outcome"] == "signed_in"


def test_an_admin_without_an_enrolled_second_factor_cannot_sign_in(tmp_path, clock):
    users = json.loads((DEPLOY_DIR / "accounts" / "sample-users.json").read_text())
    users["users"] = [{k: v for k, v in u.items() if k != "totp_seed"} for u in users["users"]
                      if u["username"] in ("admin-1", "transit-1")]
    (tmp_path / "users.json").write_text(json.dumps(users))
    accounts = AccountsApplication(env=fakes.IN_MEMORY, clock=clock)
    accounts.load_users(tmp_path / "users.json")
    assert sign_in(accounts, "admin-1", totp="123456")["outcome"] == "refused"
    assert sign_in(accounts, "transit-1")["outcome"] == "signed_in"  # a partner user: optional
