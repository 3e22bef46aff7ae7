"""Accounts on the running platform (issue 17, part 2; WAVE2 7): sign-in goes through
the accounts service; an admin deactivates a staff member in intake's directory over
the API, and within 60 seconds their live token is refused and they cannot sign in
again; a refresh token gives a new token; a signed-out token is refused at once; the
first admin comes from `jww bootstrap-admin`, and admins open and reset accounts."""
import datetime as dt
import re
import subprocess
import sys
import time

from services.accounts import second_factor
from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.accounts import credentials


PASSWORD = "a long walk to the OCMW"


def sign_in(url: str, username: str) -> tuple[int, dict, dict]:
    return http("POST", url + "/auth/token", credentials(username))


def test_a_deactivated_member_loses_their_token_within_60_seconds_and_cannot_sign_in(platform):
    platform.start_services("intake", "guidance")  # /caseload is guidance's
    url = platform.start_gateway()  # and accounts, once it knows intake's directory
    status, _, member = sign_in(url, "apo-sa-1")
    assert status == 200 and member["refresh_token"], member
    bearer = {"Authorization": f"Bearer {member['access_token']}"}
    assert http("GET", url + "/caseload", None, bearer)[0] == 200
    status, _, admin = sign_in(url, "admin-1")
    assert status == 200, admin

    status, _, answer = http("POST", url + "/agencies/apo/staff/apo-sa-1/deactivation", {},
                             {"Authorization": f"Bearer {admin['access_token']}"})
    assert status == 200 and answer["active"] is False, answer
    deactivated = time.monotonic()
    refused = wait_until(lambda: (lambda s, h, a: s == 401 and a)(*http("GET", url + "/caseload", None, bearer)),
                         timeout=60, interval=1, what="the deactivated member's token to be refused")
    assert time.monotonic() - deactivated < 60
    assert "revoked" in refused["detail"]
    status, _, problem = sign_in(url, "apo-sa-1")
    assert status == 401 and problem["detail"] == "wrong username or password"
    status, _, _ = http("POST", url + "/auth/refresh", {"refresh_token": member["refresh_token"]})
    assert status == 401


def test_refresh_and_sign_out(platform):
    platform.start_services("intake", "guidance")  # /caseload is guidance's
    url = platform.start_gateway()
    status, _, first = sign_in(url, "auditor-1")
    assert status == 200, first
    status, _, second = http("POST", url + "/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert status == 200 and second["access_token"] != first["access_token"], second
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert http("POST", url + "/auth/sign-out", None, bearer)[0] == 200
    status, _, problem = http("GET", url + "/caseload", None, bearer)
    assert status == 401 and "signed out" in problem["detail"]
    assert http("POST", url + "/auth/refresh", {"refresh_token": second["refresh_token"]})[0] == 401


def test_the_first_admin_opens_an_account_its_owner_enrols_and_a_reset_stops_it(platform):
    """`jww bootstrap-admin` names the first admin once; with its code they enrol and
    sign in with their new second factor; they open an auditor's account, whose owner
    enrols; a reset stops that auditor's token and password. Refusals name the field."""
    env = platform.env("accounts")
    jww = [sys.executable, "-m", "jww", "bootstrap-admin"]
    first = subprocess.run([*jww, "ops-lead"], env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    code = re.search(r"^\s+([A-Z0-9]{4}(?:-[A-Z0-9]{4}){4})$", first.stdout, re.M).group(1)
    second = subprocess.run([*jww, "someone-else"], env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1 and "first admin was named already" in second.stderr
    url = platform.start_gateway()

    status, _, enrolled = http("POST", url + "/auth/enrol", {"username": "ops-lead", "enrolment_code": code,
                                                             "password": PASSWORD})
    assert status == 200 and enrolled["totp_seed"], enrolled
    admin = signed_in(url, "ops-lead", enrolled["totp_seed"])
    assert http("POST", url + "/auth/enrol", {"username": "ops-lead", "enrolment_code": code,
                                              "password": PASSWORD})[0] == 401  # used up

    status, _, problem = http("POST", url + "/accounts", {"username": "Auditor 7", "role": "caseworker"}, admin)
    assert status == 422 and set(problem["errors"]) == {"username", "role", "agency"}, problem
    status, _, issued = http("POST", url + "/accounts", {"username": "auditor-7", "role": "auditor",
                                                         "agency": "platform"}, admin)
    assert status == 201 and issued["role"] == "auditor", issued
    status, _, problem = http("POST", url + "/auth/enrol", {"username": "auditor-7",
                                                            "enrolment_code": issued["enrolment_code"],
                                                            "password": "short"})
    assert status == 422 and set(problem["errors"]) == {"password"}, problem
    status, _, auditor_enrolled = http("POST", url + "/auth/enrol", {"username": "auditor-7",
                                                                     "enrolment_code": issued["enrolment_code"],
                                                                     "password": PASSWORD})
    assert status == 200, auditor_enrolled
    auditor = signed_in(url, "auditor-7", auditor_enrolled["totp_seed"])
    assert http("POST", url + "/accounts", {"username": "x-1", "role": "auditor", "agency": "p"}, auditor)[0] == 403

    status, _, reset = http("POST", url + "/accounts/auditor-7/reset", {}, admin)
    assert status == 201 and reset["enrolment_code"] != issued["enrolment_code"], reset
    wait_until(lambda: http("GET", url + "/audit/witnessed/intake", None, auditor)[0] == 401, timeout=30,
               interval=1, what="the reset auditor's token to be refused")
    status, _, _ = http("POST", url + "/auth/token", {"username": "auditor-7", "password": PASSWORD,
                                                      "totp": second_factor.code(auditor_enrolled["totp_seed"],
                                                                                 dt.datetime.now(dt.timezone.utc))})
    assert status == 401


def signed_in(url: str, username: str, seed: str) -> dict:
    code = second_factor.code(seed, dt.datetime.now(dt.timezone.utc))
    status, _, token = http("POST", url + "/auth/token", {"username": username, "password": PASSWORD, "totp": code})
    assert status == 200, token
    return {"Authorization": f"Bearer {token['access_token']}"}
