"""The platform's HTTP API (the gateway) as the command line calls it: one request
with the signed-in user's token, a problem answer raised as ``ApiError``.

The API's address comes from ``--url`` at login, else ``JWW_API_URL``, else
http://127.0.0.1:8080; the token file is ``JWW_TOKEN_FILE`` or
``~/.config/jww/token.json``, readable by its owner only.

Every command goes with an ``Idempotency-Key`` of its own, and is sent again with
the same key when the API answers 503 or the connection breaks (a few times, as
``Retry-After`` says): it takes effect once, and the answer is the first one.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8080"
ATTEMPTS = 3  # of a command, with the same key
LONGEST_WAIT_SECONDS = 10


class ApiError(Exception):
    def __init__(self, status: int, problem: dict):
        super().__init__(problem.get("detail", ""))
        self.status = status
        self.problem = problem
        self.retry_after: str | None = None  # the answer's Retry-After header, if any


def token_file() -> Path:
    return Path(os.environ.get("JWW_TOKEN_FILE") or Path.home() / ".config" / "jww" / "token.json")


def saved_login() -> dict:
    try:
        return json.loads(token_file().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def save_login(content: dict) -> None:
    path = token_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Created readable by its owner only, before anything is written into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(content, file)


def call(method: str, path: str, body: dict | None = None, url: str | None = None, token: str | None = None,
         headers: dict | None = None) -> tuple[int, object, object]:
    """``(status, headers, answer)`` of one request; a problem answer raises ApiError."""
    saved = saved_login()
    base = (url or saved.get("url") or os.environ.get("JWW_API_URL") or DEFAULT_URL).rstrip("/")
    token = token if token is not None else saved.get("token")
    headers = dict(headers or {})
    command = method.upper() != "GET" and not path.startswith("/auth/")
    if command:
        headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _once(method, base + path, body, token, headers)
        except (ApiError, urllib.error.URLError) as error:
            unavailable = isinstance(error, urllib.error.URLError) or error.status == 503
            if not (command and unavailable) or attempt == ATTEMPTS:
                raise
            time.sleep(_wait(error))
    raise AssertionError("unreachable")


def _wait(error: Exception) -> float:
    retry_after = getattr(error, "retry_after", None)
    return min(float(retry_after), LONGEST_WAIT_SECONDS) if retry_after and retry_after.isdigit() else 1.0


def _once(method: str, url: str, body: dict | None, token: str | None, headers: dict) -> tuple[int, object, object]:
    request = urllib.request.Request(url, method=method.upper(), data=None if body is None else json.dumps(body).encode())
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            problem = json.loads(raw)
        except ValueError:
            problem = {"detail": raw.decode(errors="replace")[:200]}
        refused = ApiError(error.code, problem)
        refused.retry_after = error.headers.get("Retry-After")
        raise refused from None
