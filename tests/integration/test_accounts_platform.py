"""Accounts on the running platform (issue 17, part 2; WAVE2 7): sign-in goes through
the accounts service; an admin deactivates a staff member in intake's directory over
the API, and within 60 seconds their live token is refused and they cannot sign in
again; a refresh token gives a new token; a signed-out token is refused at once."""
import time

from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.accounts import credentials


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
