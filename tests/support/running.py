"""The platform every service and the gateway on their default settings, started once
per test session and shared by the integration and browser tests that only drive
it through its API and pages. Starting fifteen processes takes a minute on two
cores; a module that starts its own pays that each time, so only the tests that
need settings of their own, a restart or a store of their own start their own
(tests/conftest.py ``platform``). Each test on the shared one works on clients of
its own and never counts what other tests may have added."""
from __future__ import annotations

from tests.support.accounts import credentials
from tests.support.platform import Platform, http


class Running:
    """The running platform: its base URL, and the HTTP API as any sample user, for a
    test to set up quickly what another test does in the browser."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.url = platform.gateway_url
        self.tokens: dict[str, str] = {}

    def api(self, method: str, path: str, body=None, as_user: str = "apo-sa-1", **headers: str):
        """``headers`` as keywords, ``If_Match="..."`` for If-Match."""
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        if as_user not in self.tokens:
            self._sign_in(as_user)
        answer = http(method, self.url + path, body, {**sent, "Authorization": f"Bearer {self.tokens[as_user]}"})
        if answer[0] == 401:  # the session's platform outlives a token (15 minutes): a new one
            self._sign_in(as_user)
            answer = http(method, self.url + path, body, {**sent, "Authorization": f"Bearer {self.tokens[as_user]}"})
        return answer

    def _sign_in(self, user: str) -> None:
        status, _, answer = http("POST", self.url + "/auth/token", credentials(user))
        assert status == 200, answer
        self.tokens[user] = answer["access_token"]

    def open_trajectory(self, client_id: str) -> None:
        """A help request and the coordinator's acceptance, through the HTTP API, for tests
        of later steps (tests/browser/test_caseworker_flow.py does both in the browser)."""
        status, _, answer = self.api("POST", f"/clients/{client_id}/help-requests", {
            "source": "justice_assistant", "domains": ["housing"], "question": "Een woning / un logement.",
            "urgency": "normal"})
        assert status == 201, answer
        status, _, answer = self.api("POST", f"/clients/{client_id}/acceptance", {"worker": "apo-sa-1"},
                                     as_user="apo-coord")
        assert status == 200, answer
