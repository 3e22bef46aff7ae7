"""Accounts opened and reset by admins, passwords chosen by their owners (issue 17
part 2, WAVE2 7): an admin hands over a one-time enrolment code; with it the person
chooses a password and receives a new second factor's seed; a reset stops the old
password, second factor, sessions and tokens at once; the first admin comes from
``jww bootstrap-admin``, once. In memory, on a clock the test moves."""
import datetime as dt

import pytest

from services.accounts import second_factor
from services.accounts.application import AccountsApplication
from services.accounts.domain import Account, Bootstrap
from shared.config import DEPLOY_DIR
from shared.contracts import accounts as contracts
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support import fakes
from tests.support.accounts import totp as totp_of
from tests.support.declarations import event_fields
from tests.unit.accounts.conftest import NOW

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
NEW_PASSWORD = "a long walk to the OCMW"


def sign_in(accounts, username, password, seed=None):
    code = second_factor.code(seed, accounts.clock()) if seed else totp_of(username, accounts.clock())
    return accounts.sign_in(username, password, "198.51.100.7", code)


def test_an_admin_opens_an_auditors_account_and_the_auditor_enrols_with_the_code_once(world, clock):
    _, accounts, _ = world
    issued = accounts.open_account(ADMIN, "auditor-2", "auditor", "platform")
    assert contracts.EnrolmentAnswer().load(issued) == issued
    assert issued["expires"] == (NOW + dt.timedelta(hours=72)).isoformat()
    typed = issued["enrolment_code"].lower().replace("-", " ")  # as a person may type it
    enrolled = accounts.enrol("auditor-2", typed, NEW_PASSWORD, client="198.51.100.7")
    assert contracts.EnrolAnswer().load(enrolled) == enrolled
    assert enrolled["outcome"] == "enrolled" and enrolled["totp_seed"]  # an auditor needs a second factor
    assert enrolled["totp_uri"].startswith("otpauth://totp/jww:auditor-2?secret=")
    signed_in = sign_in(accounts, "auditor-2", NEW_PASSWORD, enrolled["totp_seed"])
    assert signed_in["actor"] == {"user_id": "auditor-2", "role": "auditor", "agency": "platform"}
    assert accounts.enrol("auditor-2", issued["enrolment_code"], "another long password")["outcome"] == "refused"
    assert sign_in(accounts, "auditor-2", "another long password", enrolled["totp_seed"])["outcome"] == "refused"


def test_a_reset_stops_the_old_password_sessions_and_tokens_and_the_member_enrols_again(world, clock):
    _, accounts, _ = world
    before = sign_in(accounts, "apo-sa-1", "sample-apo-sa-1")
    clock.now += dt.timedelta(minutes=5)
    issued = accounts.reset_account(ADMIN, "apo-sa-1")
    assert sign_in(accounts, "apo-sa-1", "sample-apo-sa-1")["outcome"] == "refused"
    assert accounts.refresh(before["refresh_token"])["outcome"] == "refused"
    assert accounts.revocations()["users"]["apo-sa-1"] == clock.now.isoformat()  # tokens issued before: refused
    enrolled = accounts.enrol("apo-sa-1", issued["enrolment_code"], NEW_PASSWORD)
    assert enrolled["outcome"] == "enrolled" and enrolled["totp_seed"] is None  # optional for a social assistant
    assert sign_in(accounts, "apo-sa-1", NEW_PASSWORD)["outcome"] == "signed_in"
    # Accounts restarts and reads the same users file: the enrolment stands.
    accounts.load_users(DEPLOY_DIR / "accounts" / "sample-users.json")
    assert sign_in(accounts, "apo-sa-1", "sample-apo-sa-1")["outcome"] == "refused"
    assert sign_in(accounts, "apo-sa-1", NEW_PASSWORD)["outcome"] == "signed_in"


def test_a_social_assistant_who_asks_for_a_second_factor_gets_one_and_needs_it(world):
    _, accounts, _ = world
    issued = accounts.reset_account(ADMIN, "dsr-sa-1")
    enrolled = accounts.enrol("dsr-sa-1", issued["enrolment_code"], NEW_PASSWORD, second_factor_wanted=True)
    assert enrolled["totp_seed"]
    assert accounts.sign_in("dsr-sa-1", NEW_PASSWORD, "", "")["outcome"] == "code_required"
    assert sign_in(accounts, "dsr-sa-1", NEW_PASSWORD, enrolled["totp_seed"])["outcome"] == "signed_in"


def test_only_admins_open_and_reset_and_what_they_may_not_do_is_refused_naming_the_field(world):
    intake, accounts, link = world
    coordinator = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
    with pytest.raises(Forbidden):
        accounts.open_account(coordinator, "dpo-2", "data_protection_officer", "platform")
    with pytest.raises(Forbidden):
        accounts.reset_account(coordinator, "apo-sa-1")
    with pytest.raises(InvalidInput) as refused:
        accounts.open_account(ADMIN, "apo-sa-9", "social_assistant", "apo")
    assert "role" in refused.value.details
    with pytest.raises(Conflict) as taken:
        accounts.open_account(ADMIN, "auditor-1", "auditor", "platform")
    assert taken.value.details == {"username": ["taken"]}
    with pytest.raises(NotFound):
        accounts.reset_account(ADMIN, "nobody")
    intake.set_staff_member_active(ADMIN, "apo", "apo-crim-1", active=False)
    link.deliver()
    with pytest.raises(Conflict) as inactive:
        accounts.reset_account(ADMIN, "apo-crim-1")
    assert inactive.value.details == {"username": ["inactive"]}
    issued = accounts.open_account(ADMIN, "dpo-2", "data_protection_officer", "platform")
    with pytest.raises(InvalidInput) as weak:
        accounts.enrol("dpo-2", issued["enrolment_code"], "dpo-2 is my password!")
    assert "password" in weak.value.details


def test_a_code_runs_out_and_guessing_codes_is_throttled(world, clock):
    _, accounts, _ = world
    issued = accounts.open_account(ADMIN, "casmd-2", "partner", "casmd")
    clock.now += dt.timedelta(hours=72, seconds=1)
    assert accounts.enrol("casmd-2", issued["enrolment_code"], NEW_PASSWORD)["outcome"] == "refused"
    fresh = accounts.reset_account(ADMIN, "casmd-2")
    outcomes = [accounts.enrol("casmd-2", "AAAA-AAAA-AAAA-AAAA-AAAA", NEW_PASSWORD)["outcome"] for _ in range(6)]
    assert outcomes[:3] == ["refused"] * 3 and "throttled" in outcomes
    assert accounts.enrol("casmd-2", fresh["enrolment_code"], NEW_PASSWORD)["outcome"] == "throttled"
    clock.now += dt.timedelta(hours=1, minutes=1)  # the throttle forgets; the code still holds
    assert accounts.enrol("casmd-2", fresh["enrolment_code"], NEW_PASSWORD)["outcome"] == "enrolled"


def test_the_first_admin_is_named_once(clock):
    accounts = AccountsApplication(env=fakes.IN_MEMORY, clock=clock)  # a fresh platform: no users file yet
    first = accounts.bootstrap_admin("ops-lead")
    assert first["role"] == "admin"
    again = accounts.bootstrap_admin("ops-lead")  # not enrolled yet: a new code, the old one stops
    assert accounts.enrol("ops-lead", first["enrolment_code"], NEW_PASSWORD)["outcome"] == "refused"
    with pytest.raises(Conflict):
        accounts.bootstrap_admin("someone-else")
    enrolled = accounts.enrol("ops-lead", again["enrolment_code"], NEW_PASSWORD)
    assert enrolled["totp_seed"]  # admins need a second factor
    assert sign_in(accounts, "ops-lead", NEW_PASSWORD, enrolled["totp_seed"])["actor"]["role"] == "admin"
    with pytest.raises(Conflict):
        accounts.bootstrap_admin("ops-lead")  # enrolled: from now on admins reset accounts
    issued = accounts.open_account(sign_in(accounts, "ops-lead", NEW_PASSWORD, enrolled["totp_seed"])["actor"],
                                   "auditor-9", "auditor", "platform")
    assert issued["enrolment_code"]


def test_a_person_changes_their_own_password_with_the_current_one(world):
    _, accounts, _ = world
    member = {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}
    with pytest.raises(InvalidInput) as wrong:
        accounts.change_password(member, "not it", NEW_PASSWORD)
    assert wrong.value.details == {"current_password": ["not right"]}
    assert accounts.change_password(member, "sample-sab-jur-1", NEW_PASSWORD) == {"username": "sab-jur-1",
                                                                                   "changed": True}
    assert sign_in(accounts, "sab-jur-1", "sample-sab-jur-1")["outcome"] == "refused"
    assert sign_in(accounts, "sab-jur-1", NEW_PASSWORD)["outcome"] == "signed_in"


def test_the_enrolment_events_fit_their_declarations():
    assert event_fields(Account.EnrolmentIssued) == set(contracts.Enrolment._declared_fields)
    assert event_fields(Account.Enrolled) == set(contracts.Enrolled._declared_fields)
    assert event_fields(Account.PasswordChanged) == set(contracts.PasswordChanged._declared_fields)
    assert event_fields(Bootstrap.AdminNamed) == set(contracts.FirstAdmin._declared_fields)
