"""The sharing issue's "done when", on the running platform: three agencies and two
partner organisations each read their own feed, with their own broker user and a
stock AMQP client and CloudEvents SDK, while a realistic case gives, narrows and
withdraws consents (and a partner completes a referral through the API). Each
organisation receives exactly what an oracle computed from the consent history
allows, with exactly the consented categories; nothing about a client who never
consented to it, and nothing after a withdrawal."""
from __future__ import annotations

import datetime as dt
import json
import os
import time

from cloudevents.core.formats.json import JSONFormat
from cryptography.hazmat.primitives import serialization
from joserfc import jwe
from joserfc.jwk import OKPKey

from shared import config, keys, recipients, signing, topology
from shared.contracts import CATALOGUE
from shared.contracts.sharing import FEED_TYPES, categories_of
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_payload

AGENCIES = ("dsr", "sab", "smbg")  # apo guides the clients; these three receive what they may
PARTNERS = ("transit", "casmd")
ORGANISATIONS = AGENCIES + PARTNERS
SOURCES = ("intake", "guidance", "referrals")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Organisation:
    """One organisation on another stack: its broker user reads its queue, the
    CloudEvents SDK parses each message, the sharing service's public key checks its
    signature and the organisation's private key opens each category."""

    def __init__(self, code: str, amqp_uri: str):
        self.code = code
        access = config.BrokerAccess.from_env(config.without_user(amqp_uri), os.environ)
        self.uri = access.uri(topology.organisation_user(code, os.environ["JWW_BROKER_USER_PREFIX"]))
        pem = recipients.private_key(code).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.key = OKPKey.import_key(pem)
        self.sharing_keys = keys.public_keys(keys.events_key_name("sharing"))
        self.received: list[dict] = []

    def read(self) -> list[dict]:
        for message in broker.get_all(self.uri, topology.feed_queue_name(self.code)):
            event = JSONFormat().read(None, message.body)
            signing.verify(json.loads(message.body), self.sharing_keys)  # raises on a forged or changed entry
            assert event.get_extension("jwwrecipient") == self.code and event.get_source() == "/jww/sharing"
            data = event.get_data()
            opened = {category: json.loads(jwe.decrypt_compact(token, self.key).plaintext)
                      for category, token in data.get("categories", {}).items()}
            self.received.append({"type": event.get_type(), "subject": event.get_subject(), "data": data,
                                  "sequence": event.get_extension("jwwsequence"), "opened": opened})
        return self.received


def covers(purpose: str, organisation: str, source: str, data: dict) -> bool:
    """The purposes' reach, as services/sharing/domain.py documents it, written again."""
    if purpose in ("transfer", "coordination") or source == "intake":
        return True
    return purpose == "referral" and source == "referrals" and data.get("partner") == organisation


def oracle(platform) -> tuple[dict[str, dict[str, dict]], dict[str, list[tuple[str, str]]]]:
    """From the consent history and every published fact: per organisation, each
    fact id it must receive with the blocks it must hold, and the withdrawals it must
    be told of."""
    published = {s: platform.application(s).outbox.read(after=0, limit=100000) for s in SOURCES}
    periods: dict[tuple[str, str, str], list[list]] = {}  # (client, org, purpose) -> [[from, until, categories]]
    notices: dict[str, list[tuple[str, str]]] = {o: [] for o in ORGANISATIONS}
    for event in published["intake"]:
        data, at = event["data"], dt.datetime.fromisoformat(event["time"])
        key = (event["subject"], data.get("recipient"), data.get("purpose"))
        if event["type"] == "be.jww.intake.consent-given.v2":
            if periods.get(key) and periods[key][-1][1] is None:
                periods[key][-1][1] = at
            periods.setdefault(key, []).append([at, None, set(data["categories"])])
        elif event["type"] == "be.jww.intake.consent-withdrawn.v1":
            periods[key][-1][1] = at
            if key[1] in notices:
                notices[key[1]].append((event["subject"], key[2]))
    expected: dict[str, dict[str, dict]] = {o: {} for o in ORGANISATIONS}
    for source, events in published.items():
        for event in events:
            if event["type"] not in FEED_TYPES:
                continue
            at, by_field = dt.datetime.fromisoformat(event["time"]), categories_of(CATALOGUE[event["type"]])
            for (client, organisation, purpose), spans in periods.items():
                if client != event["subject"] or organisation not in expected:
                    continue
                if not covers(purpose, organisation, source, event["data"]):
                    continue
                for start, until, categories in spans:
                    if start <= at and (until is None or at < until):
                        blocks = expected[organisation].setdefault(event["id"], {})
                        for name, value in event["data"].items():
                            if by_field[name] in categories:
                                blocks.setdefault(by_field[name], {})[name] = value
    return {o: {i: b for i, b in facts.items() if b} for o, facts in expected.items()}, notices


def test_each_organisation_receives_exactly_what_the_consents_allow(platform):
    platform.start_services(*config.SERVICES)
    url = platform.start_gateway()
    organisations = {code: Organisation(code, platform.amqp_uri) for code in ORGANISATIONS}
    with platform.rpc(timeout=20) as rpc:
        def client() -> str:
            client_id = rpc.intake.register_client(registration_payload())["client_id"]
            rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
            return client_id

        def consent(client_id, recipient, purpose, scope):
            rpc.intake.give_consent({"actor": WORKER, "client_id": client_id, "recipient": recipient,
                                     "purpose": purpose, "scope": scope})

        def help_request(client_id, domain="housing"):
            rpc.intake.receive_help_request({"actor": WORKER, "client_id": client_id, "source": "justice_assistant",
                                             "domains": [domain], "question": "Ik zoek een woning.",
                                             "urgency": "normal"})

        def intervention(client_id, actor=WORKER):
            args = intervention_args(_now() - dt.timedelta(minutes=10))
            rpc.guidance.record_intervention({"actor": actor, "client_id": client_id,
                                              **{k: v.isoformat() if isinstance(v, dt.datetime) else v
                                                 for k, v in args.items()}})

        def referral(client_id, partner) -> str:
            referral_id = rpc.referrals.propose_referral({"actor": WORKER, "client_id": client_id, "partner": partner,
                                                          "domains": ["addiction"], "reason": "support with use"})
            return referral_id["referral_id"]

        first, second, never = client(), client(), client()
        consent(first, "transit", "referral", ["identity", "help_request", "referrals"])
        consent(first, "dsr", "coordination", ["help_request", "interventions", "appointments"])
        consent(second, "casmd", "referral", ["referrals"])
        consent(second, "sab", "transfer", ["identity", "legal_situation", "help_request", "interventions"])
        for client_id in (first, second, never):
            help_request(client_id)
            wait_until(lambda: _trajectory(rpc, client_id), what="guidance to open the trajectory")
            intervention(client_id)
        to_transit, to_casmd = referral(first, "transit"), referral(second, "casmd")
        wait_until(lambda: _sent(rpc, to_transit) and _sent(rpc, to_casmd), timeout=30,
                   what="referrals to hear of the consents and send")
        consent(first, "dsr", "coordination", ["help_request"])  # narrowed
        intervention(first)
        help_request(first, "addiction")

    # Transit's own user takes its referral to the end through the API; casmd answers.
    for username, referral_id, steps in (("transit-1", to_transit, ("acknowledged", "accepted", "started")),
                                         ("casmd-1", to_casmd, ("acknowledged",))):
        token = http("POST", url + "/auth/token", {"username": username, "password": f"sample-{username}"})[2]
        partner = {"Authorization": f"Bearer {token['access_token']}"}
        for step in steps:
            status, _, answer = http("POST", f"{url}/partner/referrals/{referral_id}/steps", {"step": step}, partner)
            assert status == 200, answer
    status, _, answer = http("POST", f"{url}/partner/referrals/{to_transit}/steps",
                             {"step": "completed", "outcome": "effective"}, partner_of(url, "transit-1"))
    assert status == 200 and answer["state"] == "completed", answer

    with platform.rpc(timeout=20) as rpc:
        withdrawn_at = _now()
        rpc.intake.withdraw_consent({"actor": WORKER, "client_id": first, "recipient": "transit",
                                     "purpose": "referral"})
        time.sleep(0.01)
        help_request(first, "work")
        referral(first, "transit")  # proposed after the withdrawal: Transit hears nothing of it
        rpc.intake.transfer_client({"actor": COORDINATOR, "client_id": second, "to_agency": "sab"})
        intervention(never)

    expected, notices = oracle(platform)

    def delivered() -> bool:
        return all(len([e for e in org.read() if "categories" in e["data"]]) >= len(expected[code])
                   and len([e for e in org.received if "purpose" in e["data"]]) >= len(notices[code])
                   for code, org in organisations.items())

    wait_until(delivered, timeout=60, interval=0.5, what="every organisation's feed to hold what it may")
    time.sleep(2)  # anything more would arrive now: it must not
    for code, org in organisations.items():
        entries = org.read()
        facts = {e["data"]["fact_id"]: e["opened"] for e in entries if "categories" in e["data"]}
        assert facts == expected[code], code
        assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1)), code
        assert [(e["subject"], e["data"]["purpose"]) for e in entries if "purpose" in e["data"]] == notices[code]
        assert never not in {e["subject"] for e in entries}, code
    assert expected["smbg"] == {} and organisations["smbg"].received == []
    assert notices["transit"] == [(first, "referral")]
    transit = organisations["transit"].received
    assert all(dt.datetime.fromisoformat(e["data"]["recorded"]) < withdrawn_at for e in transit
               if "categories" in e["data"])
    # Transit saw its referral's whole lifecycle, its own answers included; dsr, after the
    # narrowing, only help requests.
    steps = [e["opened"]["referrals"].get("step") for e in transit if e["type"].endswith("referral-step-recorded.v1")]
    assert steps == ["sent", "acknowledged", "accepted", "started", "completed"]
    assert {c for e in organisations["dsr"].received for c in e["opened"]} == {"help_request", "interventions"}
    assert len(expected["dsr"]) >= 3 and len(expected["sab"]) >= 2 and len(expected["casmd"]) >= 2


def partner_of(url: str, username: str) -> dict:
    token = http("POST", url + "/auth/token", {"username": username, "password": f"sample-{username}"})[2]
    return {"Authorization": f"Bearer {token['access_token']}"}


def _trajectory(rpc, client_id):
    try:
        return rpc.guidance.trajectory({"actor": WORKER, "client_id": client_id})
    except Exception:
        return None


def _sent(rpc, referral_id) -> bool:
    try:
        rpc.referrals.record_referral_step({"actor": WORKER, "referral_id": referral_id, "step": "sent"})
        return True
    except Exception:
        return False
