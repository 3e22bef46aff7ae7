"""Privacy at rest, through the running platform (the issue's "done when"): a client
whose every personal field holds a marker goes through intake, guidance, referrals,
notifications and audit, and is then erased. No marker is left in clear in any byte
of any store (SQLite files or PostgreSQL tables of every service, key stores
included), any queue, any log or any export; every chain verifies; a second client,
not erased, reads in full. On SQLite and on PostgreSQL."""
import datetime as dt
import json
import subprocess
import sys
import uuid

import psycopg
import pytest

from shared import config
from shared.errors import Forbidden, NotFound
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import Platform, last_published
from tests.support.samples import COORDINATOR, WORKER, registration_payload

SERVICES = config.SERVICES  # sharing too: it keeps copies of what clients consented to share
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
PG = dict(host="127.0.0.1", port=5432, user="postgres")


@pytest.fixture(params=["sqlite", "postgres"])
def platform_on(request, tmp_path, amqp_uri, pg_prefix):
    store = {"JWW_STORE_KIND": "postgres", "dbname_prefix": pg_prefix} if request.param == "postgres" else {}
    platform = Platform(tmp_path, amqp_uri, store)
    platform.start_services(*SERVICES)
    yield platform
    platform.stop_all()


def markers(tag: str) -> dict[str, str]:
    """A unique string per personal free-text field of the case."""
    found = {name: f"Zq{tag}{name}{uuid.uuid4().hex[:6]}" for name in (
        "given", "family", "email", "question", "goal", "note", "steps", "condition", "member", "contact",
        "reason", "detail")}
    found["phone"] = f"+32 470 {uuid.uuid4().int % 10**6:06d}"  # a phone number is digits
    return found


def run_case(platform: Platform, m: dict[str, str], national_number: str) -> str:
    """A realistic case: registration, help request, consent, acceptance, a plan, an
    intervention, a condition, the network, a referral sent behind the consent, an
    audit read; every personal text a marker."""
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload(
            given_names=m["given"], family_name=m["family"], national_number=national_number,
            birth_date=f"19{national_number[:2]}-{national_number[3:5]}-{national_number[6:8]}",
            contact={"phone": m["phone"], "email": f"{m['email']}@example.org"}))["client_id"]
        me = {"actor": WORKER, "client_id": client_id}
        rpc.intake.receive_help_request({**me, "source": "justice_assistant", "domains": ["housing"],
                                         "question": m["question"], "urgency": "normal"})
        rpc.intake.give_consent({**me, "recipient": "projet-lama", "purpose": "referral", "scope": ["identity"]})
        rpc.intake.give_consent({**me, "recipient": "family", "purpose": "family_involvement", "scope": ["identity"]})
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        wait_until(lambda: _answer(lambda: rpc.guidance.trajectory(me)), what="guidance to open the trajectory")
        rpc.guidance.agree_plan({**me, "goals": [{"domain": "housing", "goal": m["goal"]}], "intensity": "weekly",
                                 "expected_weeks": 26})
        rpc.guidance.record_intervention({
            **me, "at": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat(), "minutes": 30,
            "place": "office", "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"],
            "note": m["note"], "next_steps": m["steps"]})
        rpc.guidance.record_condition({**me, "kind": "prohibition", "description": m["condition"],
                                       "starts": dt.date.today().isoformat(), "authority": "court"})
        member = wait_until(lambda: _answer(lambda: rpc.guidance.add_network_member(
            {**me, "relation": "sibling", "known_as": m["member"]})), what="the family consent to reach guidance")
        member = member["member_id"]
        rpc.guidance.record_network_contact({**me, "member_id": member, "on": dt.date.today().isoformat(),
                                             "kind": "phone", "note": m["contact"]})
        referral = wait_until(lambda: _answer(lambda: rpc.referrals.propose_referral(
            {**me, "partner": "projet-lama", "domains": ["addiction"], "reason": m["reason"]})),
            what="referrals to know the client")
        wait_until(lambda: _answer(lambda: rpc.referrals.record_referral_step(
            {"actor": WORKER, "referral_id": referral["referral_id"], "step": "sent"})),
            what="the consent to reach referrals")
        audit = platform.application("audit")
        wait_until(lambda: all(audit.position_of(s) >= last_published(platform.application(s))
                               for s in SERVICES[:4]), timeout=30, what="audit to follow every service")
        rpc.audit.timeline({"actor": AUDITOR, "client_id": client_id, "purpose": "inspection",
                            "purpose_detail": m["detail"]})
    return client_id


def _answer(call):
    try:
        return call()
    except (NotFound, Forbidden):
        return None


def in_clear(platform: Platform, store: str) -> bytes:
    """Every byte the platform keeps or shows: each service's SQLite files (or its
    PostgreSQL databases, key stores included), the logs, checkpoints, and every
    message waiting in a queue of the platform's vhost."""
    found = b"".join(path.read_bytes() for path in platform.workdir.iterdir() if path.is_file())
    if store == "postgres":
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as db:
            names = [r[0] for r in db.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                              (platform.store["dbname_prefix"] + "%",))]
        assert any(name.endswith("_keys") for name in names)  # the key stores are databases of their own
        for name in names:
            with psycopg.connect(dbname=name, **PG) as db:
                tables = db.execute("SELECT table_schema, table_name FROM information_schema.tables "
                                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
                for schema, table in tables:
                    rows = db.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
                    found += repr(rows).encode()
    vhost = platform.amqp_uri.rsplit("/", 1)[-1]
    api = broker.management()
    for queue in api.call("GET", f"/api/queues/{vhost}"):
        if queue.get("messages"):
            got = api.call("POST", f"/api/queues/{vhost}/{queue['name']}/get",
                           {"count": 10000, "ackmode": "ack_requeue_true", "encoding": "auto"})
            found += json.dumps(got).encode()
    return found


def test_an_erased_client_leaves_nothing_readable_and_every_chain_holds(platform_on, request):
    platform = platform_on
    store = request.node.callspec.params["platform_on"]
    erased_markers, kept_markers = markers("E"), markers("K")
    erased = run_case(platform, erased_markers, "85.07.30-033.28")
    kept = run_case(platform, kept_markers, "90.01.01-001.23")

    with platform.rpc() as rpc:
        rpc.intake.request_erasure({"actor": COORDINATOR, "client_id": erased, "legal_basis": "consent_withdrawn",
                                    "note": erased_markers["reason"] + " asked"})
        with pytest.raises(Forbidden):  # the four-eyes rule
            rpc.intake.approve_erasure({"actor": {**COORDINATOR, "role": "admin"}, "client_id": erased})
        rpc.intake.approve_erasure({"actor": DPO, "client_id": erased})
        # Every service hears of it and destroys its own keys.
        wait_until(lambda: all(platform.application(s).data_keys.tombstones(uuid.UUID(erased))
                               for s in SERVICES), timeout=30, what="every service to destroy the client's keys")
        file = rpc.intake.client_file({"actor": COORDINATOR, "client_id": erased})
        export = rpc.audit.export({"actor": AUDITOR, "client_id": erased, "purpose": "inspection",
                                   "since": "2020-01-01T00:00:00+00:00", "until": dt.datetime.now(dt.timezone.utc).isoformat()})
        kept_file = rpc.intake.client_file({"actor": COORDINATOR, "client_id": kept})
        kept_trajectory = rpc.guidance.trajectory({"actor": WORKER, "client_id": kept})
    assert file["erased"]["legal_basis"] == "consent_withdrawn" and file["personal"] is None
    assert export["facts"]  # the facts still count, their erased content named as such
    assert export["erased"]["on"] and any(fact["erased"] for fact in export["facts"])
    assert kept_file["personal"]["family_name"] == kept_markers["family"]
    assert kept_markers["note"] in json.dumps(kept_trajectory)
    platform.stop_all()

    everything = in_clear(platform, store) + json.dumps([file, export]).encode()
    assert [m for m in erased_markers.values() if m.encode() in everything] == []
    # The same search finds what is shown of the client who was not erased.
    shown = json.dumps([kept_file, kept_trajectory]).encode()
    assert kept_markers["family"].encode() in shown and kept_markers["note"].encode() in shown
    for service in SERVICES:
        verified = subprocess.run([sys.executable, "-m", "jww", "verify", service], env=platform.env(service),
                                  capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, verified.stdout + verified.stderr
