"""The command line's calls to the API: every command with an Idempotency-Key of its
own, sent again with the same key when the API answers 503 or the connection breaks
(issue 18). The HTTP exchange itself is a fake here (unit tests open no socket)."""
import urllib.error

import pytest

from jww import api_client


class FakeApi:
    """Answers 503 (Retry-After: 0) to the first ``unavailable`` requests, then 201."""

    def __init__(self, unavailable: int, broken: int = 0):
        self.unavailable, self.broken, self.seen = unavailable, broken, []

    def __call__(self, method, url, body, token, headers):
        self.seen.append((method, url, headers.get("Idempotency-Key")))
        if len(self.seen) <= self.broken:
            raise urllib.error.URLError(ConnectionResetError("the connection broke"))
        if len(self.seen) <= self.broken + self.unavailable:
            refused = api_client.ApiError(503, {"detail": "not now"})
            refused.retry_after = "0"
            raise refused
        return 201, {}, {"ok": True}


@pytest.fixture(autouse=True)
def no_saved_login(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_TOKEN_FILE", str(tmp_path / "token.json"))
    monkeypatch.setattr(api_client.time, "sleep", lambda seconds: None)


def use(monkeypatch, fake: FakeApi) -> FakeApi:
    monkeypatch.setattr(api_client, "_once", fake)
    return fake


def test_a_command_is_sent_again_with_the_same_key_after_a_503_or_a_broken_connection(monkeypatch):
    fake = use(monkeypatch, FakeApi(unavailable=1, broken=1))
    assert api_client.call("POST", "/verifications/intake", {}, url="http://api", token="t")[0] == 201
    keys = [key for _, _, key in fake.seen]
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1


def test_each_command_has_its_own_key_and_reads_and_sign_in_have_none(monkeypatch):
    fake = use(monkeypatch, FakeApi(unavailable=0))
    api_client.call("POST", "/verifications/intake", {}, url="http://api", token="t")
    api_client.call("POST", "/verifications/intake", {}, url="http://api", token="t")
    api_client.call("GET", "/caseload", url="http://api", token="t")
    api_client.call("POST", "/auth/token", {}, url="http://api", token="")
    keys = [key for _, _, key in fake.seen]
    assert keys[0] and keys[1] and keys[0] != keys[1] and keys[2:] == [None, None]


def test_a_read_is_not_sent_again_and_a_command_gives_up_after_a_few_503s(monkeypatch):
    fake = use(monkeypatch, FakeApi(unavailable=99))
    with pytest.raises(api_client.ApiError):
        api_client.call("GET", "/caseload", url="http://api", token="t")
    assert len(fake.seen) == 1
    with pytest.raises(api_client.ApiError) as refused:
        api_client.call("POST", "/verifications/intake", {}, url="http://api", token="t")
    assert refused.value.status == 503 and len(fake.seen) == 1 + api_client.ATTEMPTS
