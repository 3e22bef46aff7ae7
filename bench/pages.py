"""The pages' speed (issue 19): a caseworker's caseload and a client file of 500
interventions, rendered by the gateway's pages, beside the JSON API answering the same
data in the same run; and each page's p95 under 20 concurrent users.

Ours: the real processes (``jww serve`` and ``jww relay`` of every service, ``jww serve
gateway``) on a fresh vhost with SQLite stores in a temporary folder. ``CASELOAD``
clients are registered, accepted and assigned to one caseworker over the API; the
first of them gets ``INTERVENTIONS`` interventions, recorded by concurrent requests.
The caseworker signs in through ``/app/sign-in`` as a browser does (the session
cookie and its CSRF token) and reads ``GET /app/caseload`` and
``GET /app/clients/{id}`` over one keep-alive connection.

Baseline: the same caseworker's bearer token over another keep-alive connection, for
the same data as JSON: ``GET /caseload`` beside the caseload page; beside the file,
the three reads the file page makes (``views/clients.py`` ``file``: intake's
``client_file``, guidance's ``trajectory``, referrals' ``referral_history``) as
``GET /clients/{id}``, ``GET /trajectories/{id}``, ``GET /clients/{id}/referrals``,
one after the other as the page makes them. Page and baseline alternate request by
request, so a neighbour's load on the machine falls on both.

Under load: ``USERS`` threads, each signed in with a session of its own and its own
connection, read a page back to back for ``LOAD_SECONDS``; then the same threads read
its JSON baseline the same way. The p95 is of the reads answered 200; the others are
counted by status (a 503 is an RPC that did not answer within the gateway's timeout).
Each phase also says how many CPU milliseconds each process spent per read: the
gateway's share is the page's own cost (rendering), the rest is the services'.
"""
from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Callable
from urllib.parse import urlencode, urlsplit

from bench import report
from bench.resources import Resources
from bench.throughput import CpuShare
from chaos.load import COORDINATOR, Tokens
from shared import config
from tests.support.accounts import credentials
from tests.support.platform import http as send

WORKER = "apo-sa-1"  # a caseworker of APO without a second factor
CASELOAD = 40  # open trajectories in the caseworker's caseload
INTERVENTIONS = 500  # on the first client's trajectory
SETUP_THREADS = 8
ROUNDS = 40  # sequential reads of each page and of its baseline, alternating
WARM_UP_ROUNDS = 3  # not counted
USERS = 20  # concurrent signed-in people under load
LOAD_SECONDS = 30.0  # per page and per baseline
CPU_READS = 10  # reads of each, one at a time, whose processes' CPU time is counted
TARGET_RATIO = 1.5  # issue 19: a page takes at most 1.5 times its JSON
STARTUP_SECONDS = 180  # for the processes to answer
# Before each phase, the followers finish what the last one left them (the setup's
# 500 interventions, each read's audit entry), so no phase pays for the one before:
# until the platform's processes use less than this share of one core, or for at most
# SETTLE_SECONDS.
QUIET_CORE_SHARE = 0.5
SETTLE_SECONDS = 120
RETRIED = {409, 502, 503, 504}  # "maybe not done" or a concurrent command: the same key again
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Connection:
    """One keep-alive HTTP connection; ``request`` returns the response with its body
    read (``.body``), and a broken connection is replaced by a fresh one next time."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> http.client.HTTPResponse:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            self._connection.request(method, path, body, headers or {})
            response = response_read(self._connection.getresponse())
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        return response

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def response_read(response: http.client.HTTPResponse) -> http.client.HTTPResponse:
    response.body = response.read()  # kept on the response for the caller
    return response


class PageSession:
    """A person in a browser: the session cookie the pages set, kept and sent back."""

    def __init__(self, url: str, user: str):
        self.connection = Connection(url)
        self.user = user
        self.cookies: dict[str, str] = {}

    def _keep(self, response) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def fetch(self, path: str) -> http.client.HTTPResponse:
        response = self.connection.request("GET", path, headers=self._headers())
        self._keep(response)
        return response

    def get(self, path: str) -> int:
        return self.fetch(path).status

    def sign_in(self, deadline: float = 120) -> "PageSession":
        """Through the sign-in form, as a person does; again after "too many at once"."""
        give_up = time.monotonic() + deadline
        while True:
            form = self.connection.request("GET", "/app/sign-in", headers=self._headers())
            self._keep(form)
            token = CSRF.search(form.body.decode())
            if form.status != 200 or token is None:
                raise RuntimeError(f"the sign-in page answered {form.status}")
            given = credentials(self.user)
            body = urlencode({"csrf_token": token.group(1), "username": given["username"],
                              "password": given["password"], "totp": given.get("totp", ""),
                              "next": "/app/caseload"})
            answer = self.connection.request("POST", "/app/sign-in", body, {
                **self._headers(), "Content-Type": "application/x-www-form-urlencoded"})
            self._keep(answer)
            if answer.status == 303:
                return self
            if answer.status != 429 or time.monotonic() > give_up:
                raise RuntimeError(f"{self.user} could not sign in to the pages ({answer.status})")
            time.sleep(1)


class ApiSession:
    """The same person through the JSON API: a bearer token on a keep-alive connection."""

    def __init__(self, url: str, tokens: Tokens, user: str):
        self.connection = Connection(url)
        self.header = tokens.header(user)

    def fetch(self, path: str) -> http.client.HTTPResponse:
        return self.connection.request("GET", path, headers={**self.header, "Accept": "application/json"})

    def get(self, path: str) -> int:
        return self.fetch(path).status


# -- the data ---------------------------------------------------------------------------------

def _must(answer, expected: tuple[int, ...], what: str):
    status, _, body = answer
    if status not in expected:
        raise RuntimeError(f"{what}: {status} {body}")
    return body


def _command(url: str, path: str, body: dict, headers: dict, what: str, deadline: float = 120):
    """A command sent again with the same idempotency key until it is answered."""
    headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    give_up = time.monotonic() + deadline
    while True:
        try:
            status, _, answer = send("POST", url + path, body, headers)
        except OSError:
            status, answer = None, None
        if status not in RETRIED and status is not None:
            return _must((status, None, answer), (200, 201), what)
        if time.monotonic() > give_up:
            raise RuntimeError(f"{what}: still {status} after {deadline:g} s")
        time.sleep(0.2)


def _open_one(url: str, tokens: Tokens, i: int) -> str:
    """One client registered, with a help request, accepted for ``WORKER``."""
    me = tokens.header(WORKER)
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=97 * i)  # names and dates of their own: no duplicate held
    client = _command(url, "/clients", {
        "given_names": "Bench", "family_name": f"Caseload{i:03d}", "birth_date": birth.isoformat(),
        "legal_position": "convicted", "situation": "probation", "languages": ["fr", "nl"],
        "preferred_language": "fr"}, me, "register a client")["client_id"]
    _command(url, f"/clients/{client}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": "Housing after release.",
        "urgency": "normal"}, me, "record a help request")
    _command(url, f"/clients/{client}/acceptance", {"worker": WORKER}, tokens.header(COORDINATOR),
             "accept the intake")
    deadline = time.monotonic() + 60
    while send("GET", f"{url}/trajectories/{client}", headers=me)[0] != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("guidance did not open a trajectory within 60 s")
        time.sleep(0.2)
    return client


def open_caseload(url: str, tokens: Tokens) -> list[str]:
    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        return list(pool.map(lambda i: _open_one(url, tokens, i), range(CASELOAD)))


def record_interventions(url: str, tokens: Tokens, client: str) -> None:
    """``INTERVENTIONS`` interventions on the client's trajectory, a minute apart in the past."""
    me = tokens.header(WORKER)
    first = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) - dt.timedelta(days=30)

    def record(i: int) -> None:
        _command(url, f"/trajectories/{client}/interventions", {
            "at": (first + dt.timedelta(minutes=i)).isoformat(), "minutes": 30, "place": "office",
            "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"],
            "note": f"Intervention {i}: talked about the search for a flat and the next OCMW appointment."},
            me, "record an intervention")

    with ThreadPoolExecutor(SETUP_THREADS * 2) as pool:
        list(pool.map(record, range(INTERVENTIONS)))


# -- timing ------------------------------------------------------------------------------------

def timed(read: Callable[[], None]) -> float:
    began = time.perf_counter()
    read()
    return (time.perf_counter() - began) * 1000


def reads(session, *paths: str) -> Callable[[], None]:
    """Reading ``paths`` one after the other; anything but 200 stops the bench."""

    def read() -> None:
        for path in paths:
            status = session.get(path)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")

    return read


def alternate(page: Callable[[], None], api: Callable[[], None]) -> tuple[list[float], list[float]]:
    """Milliseconds of ``ROUNDS`` page reads and as many baseline reads, alternating
    (which goes first alternates too), after ``WARM_UP_ROUNDS`` of each."""
    for _ in range(WARM_UP_ROUNDS):
        page()
        api()
    ours, baseline = [], []
    for n in range(ROUNDS):
        if n % 2:
            baseline.append(timed(api))
            ours.append(timed(page))
        else:
            ours.append(timed(page))
            baseline.append(timed(api))
    return ours, baseline


@dataclass
class Crowd:
    """``USERS`` sessions reading back to back for ``LOAD_SECONDS``."""

    name: str
    latencies: list[float] = field(default_factory=list)  # ms, answered 200
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def run(self, sessions: list, paths: tuple[str, ...]) -> "Crowd":
        lock = threading.Lock()
        started = time.monotonic()
        stop = started + LOAD_SECONDS

        def work(session) -> None:
            while time.monotonic() < stop:
                began = time.perf_counter()
                status = "200"
                try:
                    for path in paths:
                        answered = session.get(path)
                        if answered != 200:
                            status = str(answered)
                            break
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                took = (time.perf_counter() - began) * 1000
                with lock:
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                    if status == "200":
                        self.latencies.append(took)

        threads = [threading.Thread(target=work, args=(s,), name=f"bench-user-{n}", daemon=True)
                   for n, s in enumerate(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - started
        return self

    def line(self) -> str:
        ms = self.latencies or [float("nan")]
        one, five, _ = os.getloadavg()
        return (f"{self.name:<44} achieved {self.achieved:6.1f}/s  p50 {report.percentile(ms, 50):7.1f} ms  "
                f"p95 {report.percentile(ms, 95):7.1f} ms  statuses {dict(sorted(self.statuses.items()))}  "
                f"load {one:.2f}/{five:.2f}")


def cpu_line(cpu: CpuShare, name: str, answered: int) -> str:
    """The gateway's and every platform process's CPU time per read: where the time of
    a read goes, whatever else runs on the machine (the relays' idle polling included)."""
    per = {process: 1000 * used / max(answered, 1) for process, used in cpu.used.items()}
    top = sorted(((p, ms) for p, ms in per.items() if p != "gateway serve"), key=lambda item: -item[1])[:3]
    return (f"CPU ms per read ({name}): gateway {per.get('gateway serve', 0):.1f}, all {sum(per.values()):.1f}; "
            + ", ".join(f"{process} {ms:.1f}" for process, ms in top))


def cpu_per_read(platform, name: str, read: Callable[[], None]) -> str:
    with CpuShare(platform) as cpu:
        for _ in range(CPU_READS):
            read()
    return cpu_line(cpu, name, CPU_READS)


def settle(platform) -> None:
    began = time.monotonic()
    while True:
        with CpuShare(platform) as cpu:
            time.sleep(2)
        share = sum(cpu.used.values()) / 2
        if share < QUIET_CORE_SHARE or time.monotonic() - began > SETTLE_SECONDS:
            report.detail(f"settled for {time.monotonic() - began:.0f} s: the platform uses {100 * share:.0f}% "
                          f"of one core")
            return


def _describe(label: str, values: list[float]) -> None:
    report.detail(f"{label:<44} median {report.percentile(values, 50):7.1f} ms   "
                  f"p95 {report.percentile(values, 95):7.1f} ms   n={len(values)}")


def _sizes(page: PageSession, api: ApiSession, page_path: str, api_paths: tuple[str, ...]) -> str:
    page_bytes = len(page.fetch(page_path).body)
    api_bytes = sum(len(api.fetch(path).body) for path in api_paths)
    return f"{page_bytes:,} bytes of HTML, {api_bytes:,} bytes of JSON"


# -- the comparison ------------------------------------------------------------------------------

def start(res: Resources):
    """Every service and the gateway, as ``Platform.start_services`` starts them, but
    waited for longer (on a busy machine fifteen processes take more than its 30 s),
    and without its wait for referrals' partner directory (no consent is given here)."""
    platform = res.platform()
    for service in config.SERVICES:
        platform.start(service, "serve")
        platform.start(service, "relay")
    for service in config.SERVICES:
        platform.wait_healthy(service, timeout=STARTUP_SECONDS)
    url = platform.start_gateway(timeout=STARTUP_SECONDS)
    report.detail("process ids (for a profiler): " + ", ".join(
        f"{service} {role} {process.pid}" for (service, role), process in sorted(platform.processes.items())))
    return platform, url


def compare(res: Resources) -> list[report.Row]:
    report.section(f"Pages against the JSON API ({CASELOAD} open trajectories, a file of {INTERVENTIONS} "
                   f"interventions, {ROUNDS} rounds; {USERS} users for {LOAD_SECONDS:g} s a phase)")
    platform, url = start(res)
    try:
        return _measure(platform, url)
    except Exception:
        report.detail("process logs:\n" + platform.log_tails(2000))
        raise


@dataclass(frozen=True)
class Measure:
    name: str
    page: str  # the page's path
    api: tuple[str, ...]  # the JSON reads of the same data, in the page's order
    baseline: str

    @property
    def label(self) -> str:
        """The page's route, its id as a placeholder."""
        return "GET " + re.sub(r"/clients/[^/]+", "/clients/{id}", self.page)


def _measure(platform, url: str) -> list[report.Row]:
    tokens = Tokens(url)
    began = time.monotonic()
    clients = open_caseload(url, tokens)
    record_interventions(url, tokens, clients[0])
    report.detail(f"{CASELOAD} clients accepted for {WORKER}, {INTERVENTIONS} interventions on one "
                  f"in {time.monotonic() - began:.0f} s")
    client = clients[0]
    measures = (
        Measure("caseload", "/app/caseload", ("/caseload",), "GET /caseload (JSON)"),
        Measure(f"file of {INTERVENTIONS} interventions", f"/app/clients/{client}",
                (f"/clients/{client}", f"/trajectories/{client}", f"/clients/{client}/referrals"),
                "the file's 3 GETs (JSON)"),
    )
    page, api = PageSession(url, WORKER).sign_in(), ApiSession(url, tokens, WORKER)
    rows = [row for measure in measures for row in one_at_a_time(platform, measure, page, api)]
    people = [PageSession(url, WORKER).sign_in() for _ in range(USERS)]
    apis = [ApiSession(url, tokens, WORKER) for _ in range(USERS)]
    rows += [under_load(platform, measure, people, apis) for measure in measures]
    for session in [page, api, *people, *apis]:
        session.connection.close()
    return rows


def one_at_a_time(platform, measure: Measure, page: PageSession, api: ApiSession) -> list[report.Row]:
    report.detail(f"{measure.name}: {_sizes(page, api, measure.page, measure.api)}")
    settle(platform)
    page_read, api_read = reads(page, measure.page), reads(api, *measure.api)
    ours, baseline = alternate(page_read, api_read)
    _describe(f"ours: {measure.label}", ours)
    _describe(f"baseline: {measure.baseline}", baseline)
    report.detail(cpu_per_read(platform, measure.label, page_read))
    report.detail(cpu_per_read(platform, measure.baseline, api_read))
    return [report.latency_row(f"page: {measure.name}, {label}", report.percentile(ours, p), measure.baseline,
                               report.percentile(baseline, p), max_ratio=TARGET_RATIO)
            for p, label in ((50, "median"), (95, "p95"))]


def under_load(platform, measure: Measure, people: list[PageSession], apis: list[ApiSession]) -> report.Row:
    settle(platform)
    with CpuShare(platform) as cpu:
        crowd = Crowd(f"{USERS} users: {measure.label}").run(people, (measure.page,))
    report.detail(crowd.line())
    report.detail(cpu_line(cpu, crowd.name, len(crowd.latencies)))
    settle(platform)
    with CpuShare(platform) as cpu:
        base = Crowd(f"{USERS} users: {measure.baseline}").run(apis, measure.api)
    report.detail(base.line())
    report.detail(cpu_line(cpu, base.name, len(base.latencies)))
    return report.latency_row(f"page: {measure.name}, p95 under {USERS} users ({crowd.achieved:.1f}/s)",
                              report.percentile(crowd.latencies or [float("nan")], 95),
                              f"{measure.baseline} ({base.achieved:.1f}/s)",
                              report.percentile(base.latencies or [float("nan")], 95), max_ratio=TARGET_RATIO)
