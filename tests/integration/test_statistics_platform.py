"""Figures for funders on the running platform: clients registered, accepted and
helped over HTTP in two agencies, then the figures read as the funder and as a
coordinator, compared with an oracle computed from this test's own commands, small
cells withheld as services/statistics/suppression.py says."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest

from services.statistics import suppression
from services.statistics.suppression import TOTAL
from shared import config
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import Platform, http
from tests.support.accounts import credentials

PERSON = {"given_names": "Figure", "family_name": "Testperson", "birth_date": "1979-03-02",
          "legal_position": "convicted", "situation": "probation", "languages": ["fr"], "preferred_language": "fr"}
NOW = dt.datetime.now(dt.timezone.utc)
# The intervention is an hour ago: the month asked for is that hour's.
AT = NOW - dt.timedelta(hours=1)
FIRST = AT.date().replace(day=1)
LAST = (FIRST + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
PERIOD = f"from={FIRST.isoformat()}&until={LAST.isoformat()}"


class Api:
    def __init__(self, url: str):
        self.url, self.tokens = url, {}

    def __call__(self, method: str, path: str, body=None, as_user: str = "apo-sa-1", **headers):
        if as_user not in self.tokens:
            status, _, answer = http("POST", self.url + "/auth/token", credentials(as_user))
            assert status == 200, answer
            self.tokens[as_user] = answer["access_token"]
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        return http(method, self.url + path, body, {**headers, "Authorization": f"Bearer {self.tokens[as_user]}"})


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path_factory.mktemp("statistics"), uri)
    try:
        platform.start_services(*config.SERVICES)
        platform.start_gateway()
        yield Api(platform.gateway_url)
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


# What this test did, one line per intervention: (agency, client, method, domain, minutes, interpreter language).
DONE: list[tuple] = []


def helped_client(api: Api, worker: str, coordinator: str, agency: str, interpreter: str | None = None) -> str:
    status, _, answer = api("POST", "/clients", PERSON, as_user=worker)
    assert status == 201, answer
    client = answer["client_id"]
    status, _, answer = api("POST", f"/clients/{client}/acceptance", {"worker": worker}, as_user=coordinator)
    assert status == 200, answer
    _, headers, _ = wait_until(lambda: (r := api("GET", f"/trajectories/{client}", as_user=worker))[0] == 200 and r,
                               what="guidance to open the trajectory")
    body = {"at": AT.isoformat(), "minutes": 45, "place": "office", "method": "listening_support",
            "sub_kind": "listening_ear", "domains": ["housing"], "note": ""}
    if interpreter:
        body["interpreter"] = {"language": interpreter, "kind": "telephone"}
    status, _, answer = api("POST", f"/trajectories/{client}/interventions", body, as_user=worker,
                            If_Match=headers["ETag"])
    assert status == 201, answer
    DONE.append((agency, client, "listening_support", "housing", 45, interpreter))
    return client


def oracle(agencies: set[str] | None) -> dict[str, dict[tuple[str, str], object]]:
    """Each table's persons per cell as this test's commands make them, withheld as the
    suppression rules say (across agencies, each agency's own figure is a nested view)."""
    def persons(table: str, among: set[str] | None) -> dict:
        cells = defaultdict(set)
        for agency, client, method, domain, _, language in DONE:
            if among is not None and agency not in among:
                continue
            row, column = (method, domain) if table == "interventions" else (language, "telephone")
            if row is None:
                continue
            for key in ((row, column), (row, TOTAL), (TOTAL, column), (TOTAL, TOTAL)):
                cells[key].add(client)
        return {key: len(found) for key, found in cells.items()}

    expected = {}
    for table in ("interventions", "interpreters"):
        counts = persons(table, agencies)
        views = [persons(table, {one}) for one in {a for a, *_ in DONE}] if agencies is None else []
        withheld = suppression.suppress(counts, views)
        counts.setdefault((TOTAL, TOTAL), 0)
        expected[table] = {key: withheld.get(key, count) for key, count in counts.items()}
    return expected


def shown(answer: dict) -> dict[str, dict[tuple[str, str], object]]:
    return {table: {(c["row"], c["column"]): c["persons"] for c in answer["tables"][table]["cells"]}
            for table in ("interventions", "interpreters")}


def figures(api: Api, user: str, query: str = "") -> dict:
    status, _, answer = api("GET", f"/figures?{PERIOD}&dimensions=interventions&dimensions=interpreters{query}",
                            as_user=user)
    assert status == 200, answer
    return answer


def test_the_figures_match_what_was_done_with_small_cells_withheld(api):
    for n in range(6):
        helped_client(api, "apo-sa-1", "apo-coord", "apo", interpreter="ar" if n < 2 else None)
    helped_client(api, "sab-jur-1", "sab-coord", "sab")

    def counted() -> bool:
        apo = figures(api, "funder-1", "&agency=apo")["tables"]["interventions"]["cells"][-1]
        sab = figures(api, "funder-1", "&agency=sab")["tables"]["interventions"]["cells"][-1]
        return apo.get("interventions") == 6 and sab["persons"] == suppression.SMALL

    wait_until(counted, what="statistics to count every intervention")

    apo = figures(api, "funder-1", "&agency=apo")
    assert shown(apo) == oracle({"apo"})
    assert shown(apo)["interventions"][("listening_support", "housing")] == 6  # shown: 5 or more
    assert shown(apo)["interpreters"][("ar", "telephone")] == suppression.SMALL
    everywhere = figures(api, "funder-1")
    assert everywhere["agency"] is None and shown(everywhere) == oracle(None)
    # All agencies (7) minus apo alone (6) would single out sab's one client.
    assert shown(everywhere)["interventions"][("listening_support", "housing")] == suppression.WITHHELD
    coordinator = figures(api, "apo-coord")
    assert coordinator["agency"] == "apo" and shown(coordinator) == shown(apo)
    cell = next(c for c in apo["tables"]["interventions"]["cells"] if c["row"] == "listening_support"
                and c["column"] == "housing")
    assert (cell["interventions"], cell["minutes"]) == (6, 6 * 45)


def test_the_csv_export_says_the_same(api):
    status, headers, text = api("GET", f"/figures?{PERIOD}&agency=apo&dimensions=interventions&dimensions=interpreters",
                                as_user="funder-1", Accept="text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = oracle({"apo"})
    assert {(r["table"], r["row"], r["column"]): r["persons"] for r in rows} == {
        (table, *key): str(value) for table, cells in expected.items() for key, value in cells.items()}


def test_refused_requests_name_the_field_and_a_funder_reads_no_file(api):
    status, _, problem = api("GET", "/figures?from=2019-01-01&until=2025-12-31", as_user="funder-1")
    assert status == 422 and "until" in str(problem)
    status, _, problem = api("GET", f"/figures?{PERIOD}&colour=red", as_user="funder-1")
    assert status == 422 and "colour" in str(problem)
    status, _, problem = api("GET", f"/figures?from={FIRST.isoformat()}&until={(LAST - dt.timedelta(days=1))}",
                             as_user="funder-1")
    assert status == 422 and "until" in str(problem)
    assert api("GET", f"/figures?{PERIOD}&agency=sab", as_user="apo-coord")[0] == 403
    assert api("GET", f"/figures?{PERIOD}", as_user="apo-sa-1")[0] == 403
    client = DONE[0][1]
    assert api("GET", f"/clients/{client}", as_user="funder-1")[0] == 403
    assert api("GET", f"/trajectories/{client}", as_user="funder-1")[0] == 403
    assert api("GET", f"/clients/{client}/referrals", as_user="funder-1")[0] == 403
