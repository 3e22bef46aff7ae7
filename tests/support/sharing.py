"""The organisations' side of the sharing service's feeds, for the tests that check
them: an organisation reading its own feed as a partner on another stack would, and
the oracle that says, from the consent history and every published fact, exactly
what each must receive (tests/integration/test_sharing_feeds.py, tests/faults/)."""
from __future__ import annotations

import datetime as dt
import json
import os

from cloudevents.core.formats.json import JSONFormat
from cryptography.hazmat.primitives import serialization
from joserfc import jwe
from joserfc.jwk import OKPKey

from shared import config, keys, recipients, signing, topology
from shared.contracts import CATALOGUE
from shared.contracts.sharing import FEED_TYPES, categories_of
from tests.support import broker

AGENCIES = ("dsr", "sab", "smbg")  # apo guides the clients; these three receive what they may
PARTNERS = ("transit", "casmd")
ORGANISATIONS = AGENCIES + PARTNERS
SOURCES = ("intake", "guidance", "referrals")
WITHDRAWAL_NOTICE = "be.jww.share.consent-withdrawn.v1"


class Organisation:
    """One organisation on another stack: its broker user reads its queue, the
    CloudEvents SDK parses each message, the sharing service's public key checks its
    signature and the organisation's private key opens each category.

    What it cannot trust it refuses (``refused``, with the reason), as a partner
    must: an entry whose signature does not hold, one addressed to another
    organisation, one with a block it cannot open. ``received`` keeps what it
    accepted as it came, a redelivered entry twice; ``entries()`` is the feed once
    de-duplicated by ``jwwsequence``, as a partner keeps it."""

    def __init__(self, code: str, amqp_uri: str):
        self.code = code
        access = config.BrokerAccess.from_env(config.without_user(amqp_uri), os.environ)
        self.uri = access.uri(topology.organisation_user(code, os.environ["JWW_BROKER_USER_PREFIX"]))
        pem = recipients.private_key(code).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.key = OKPKey.import_key(pem)
        self.sharing_keys = keys.public_keys(keys.events_key_name("sharing"))
        self.received: list[dict] = []
        self.refused: list[tuple[str, bytes]] = []  # (why, the message's body)

    def read(self) -> list[dict]:
        for message in broker.get_all(self.uri, topology.feed_queue_name(self.code)):
            try:
                self.received.append(self._accepted(message.body))
            except Refused as refusal:
                self.refused.append((str(refusal), message.body))
        return self.received

    def _accepted(self, body: bytes) -> dict:
        try:
            event = JSONFormat().read(None, body)
            signing.verify(json.loads(body), self.sharing_keys)
        except Exception as error:  # not a CloudEvent, or not signed by sharing's key
            raise Refused(f"{type(error).__name__}: {error}") from None
        data = event.get_data()
        # The extensions are not signed: data repeats them, and is.
        if not (data.get("recipient") == event.get_extension("jwwrecipient") == self.code
                and event.get_source() == "/jww/sharing"):
            raise Refused("addressed to another organisation")
        if data.get("sequence") != event.get_extension("jwwsequence"):
            raise Refused("the sequence is not the signed one")
        try:
            opened = {category: json.loads(jwe.decrypt_compact(token, self.key).plaintext)
                      for category, token in data.get("categories", {}).items()}
        except Exception as error:
            raise Refused(f"a block not sealed to {self.code}: {type(error).__name__}") from None
        return {"id": event.get_id(), "type": event.get_type(), "subject": event.get_subject(), "data": data,
                "sequence": event.get_extension("jwwsequence"), "opened": opened, "body": body}

    def entries(self) -> list[dict]:
        """The accepted entries by sequence, each once: a redelivered entry must be the
        same entry (same CloudEvents id, same fact, same opened blocks)."""
        by_sequence: dict[int, dict] = {}
        for entry in self.received:
            first = by_sequence.setdefault(entry["sequence"], entry)
            assert (first["id"], first["data"].get("fact_id"), first["opened"]) == \
                (entry["id"], entry["data"].get("fact_id"), entry["opened"]), \
                f"{self.code}: two different entries numbered {entry['sequence']}"
        return [by_sequence[s] for s in sorted(by_sequence)]

    def facts(self) -> dict[str, dict]:
        """Each shared fact's id and the blocks this organisation opened."""
        return {e["data"]["fact_id"]: e["opened"] for e in self.entries() if "categories" in e["data"]}

    def notices(self) -> list[tuple[str, str]]:
        """The withdrawals it was told of: (client, purpose), in feed order."""
        return [(e["subject"], e["data"]["purpose"]) for e in self.entries() if e["type"] == WITHDRAWAL_NOTICE]


class Refused(Exception):
    """An entry an organisation does not accept; the message says why."""


def covers(purpose: str, organisation: str, source: str, data: dict) -> bool:
    """The purposes' reach, as services/sharing/domain.py documents it, written again."""
    if purpose in ("transfer", "coordination") or source == "intake":
        return True
    return purpose == "referral" and source == "referrals" and data.get("partner") == organisation


def oracle(platform) -> tuple[dict[str, dict[str, dict]], dict[str, list[tuple[str, str]]]]:
    """From the consent history and every published fact: per organisation, each
    fact id it must receive with the blocks it must hold, and the withdrawals it must
    be told of."""
    published = {s: platform.application(s).outbox.read(after=0, limit=100000) for s in SOURCES
                 if _runs(platform, s)}
    # (client, org, purpose) -> [[from, until, categories, shares the history]]
    periods: dict[tuple[str, str, str], list[list]] = {}
    notices: dict[str, list[tuple[str, str]]] = {o: [] for o in ORGANISATIONS}
    for event in published["intake"]:
        data, at = event["data"], dt.datetime.fromisoformat(event["time"])
        key = (event["subject"], data.get("recipient"), data.get("purpose"))
        if event["type"] == "be.jww.intake.consent-given.v2":
            if periods.get(key) and periods[key][-1][1] is None:
                periods[key][-1][1] = at
            periods.setdefault(key, []).append([at, None, set(data["categories"]), data["share_history"]])
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
                # A fact goes out once per consent: in the period it falls in, or, before
                # it, in the first period that shares the history.
                for start, until, categories, history in spans:
                    if (start <= at or history) and (until is None or at < until):
                        blocks = expected[organisation].setdefault(event["id"], {})
                        for name, value in event["data"].items():
                            if by_field[name] in categories:
                                blocks.setdefault(by_field[name], {})[name] = value
                        break
    return {o: {i: b for i, b in facts.items() if b} for o, facts in expected.items()}, notices


def _runs(platform, service: str) -> bool:
    """Whether the test started ``service`` (a test may run intake and sharing alone)."""
    return service == "intake" or any(name == service for name, _ in platform.processes)


def withdrawn_at(platform) -> dict[tuple[str, str, str], dt.datetime]:
    """When each consent was withdrawn, as intake published it: (client, organisation,
    purpose) -> the withdrawal's instant."""
    return {(e["subject"], e["data"]["recipient"], e["data"]["purpose"]): dt.datetime.fromisoformat(e["time"])
            for e in platform.application("intake").outbox.read(after=0, limit=100000)
            if e["type"] == "be.jww.intake.consent-withdrawn.v1"}


def delivered(organisations: dict[str, Organisation], expected, notices) -> bool:
    """Whether every organisation holds at least what the oracle says (more may come:
    the caller waits a little longer and compares exactly)."""
    for org in organisations.values():
        org.read()
    return all(len(org.facts()) >= len(expected[code]) and len(org.notices()) >= len(notices[code])
               for code, org in organisations.items())


def assert_feeds_match(organisations: dict[str, Organisation], expected, notices, withdrawals) -> None:
    """Nothing lost, nothing twice, nothing forged accepted, nothing after a
    withdrawal: each feed, de-duplicated by sequence, numbered 1..n without a gap,
    holds exactly the oracle's facts and blocks and its withdrawal notices, and no
    entry under a withdrawn purpose about a fact recorded after the withdrawal (for
    tests whose withdrawn consents are not given again)."""
    for code, org in organisations.items():
        entries = org.entries()
        assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1)), f"{code}: a gap"
        assert org.facts() == expected[code], code
        assert org.notices() == notices[code], code
        for (client, organisation, purpose), at in withdrawals.items():
            if organisation != code:
                continue
            after = [e for e in entries if e["subject"] == client and "categories" in e["data"]
                     and dt.datetime.fromisoformat(e["data"]["recorded"]) >= at and purpose in e["data"]["purposes"]]
            assert after == [], f"{code} received {len(after)} entries after {client}'s withdrawal"
