"""The facts of a realistic case produce exactly the expected messages, in the
recipients' languages, in their inboxes and through a real SMTP server, once each,
across a restart of the notifications service in the middle of the run."""
import datetime as dt
import email
import email.policy
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.broker import wait_until
from tests.support.samples import COORDINATOR, WORKER, registration_payload

CRIMINOLOGIST = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}  # reads Dutch


@pytest.fixture
def smtp(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "mail"
    server = subprocess.Popen([sys.executable, "-m", "tests.support.smtp_sink", str(port), str(folder)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    yield port, folder
    server.send_signal(signal.SIGTERM)
    server.wait(10)


def mails(folder):
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


def test_a_realistic_case_tells_each_person_once_in_their_language(platform, smtp):
    port, folder = smtp
    platform.extra_env["notifications"] = {
        "JWW_NOTIFICATIONS_SMTP_HOST": "127.0.0.1", "JWW_NOTIFICATIONS_SMTP_PORT": str(port),
        "JWW_NOTIFICATIONS_RETRY_SECONDS": "0.2",
    }
    platform.start_services("intake", "guidance", "referrals", "notifications")
    now = dt.datetime.now(dt.timezone.utc)
    with platform.rpc() as rpc:
        first = rpc.intake.register_client(registration_payload(languages=["fr"], preferred_language="fr"))["client_id"]
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": first, "worker": "apo-sa-1"})  # fr
        client = rpc.intake.register_client(registration_payload(languages=["ar"], preferred_language="ar"))["client_id"]
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client, "worker": "apo-crim-1",
                                  "interpreter": {"language": "ar", "kind": "telephone"}})  # nl
        wait_until(lambda: len(list(folder.glob("*.eml"))) == 2, what="the two assignments by e-mail")

        platform.stop("notifications", "serve")  # a restart in the middle of the run
        me = {"actor": CRIMINOLOGIST, "client_id": client}
        wait_until(lambda: _trajectory(rpc, me), what="guidance to open the trajectory")
        rpc.guidance.plan_appointment({**me, "at": (now + dt.timedelta(hours=23)).isoformat(),
                                       "with_actor": "ocmw_cpas", "purpose": "urgent medical aid"})
        rpc.guidance.record_condition({**me, "kind": "prohibition", "description": "no contact with the victim",
                                       "starts": now.date().isoformat(),
                                       "ends": (now + dt.timedelta(days=10)).date().isoformat(), "authority": "court"})
        rpc.guidance.check_time({"actor": COORDINATOR})
        rpc.intake.give_consent({"actor": CRIMINOLOGIST, "client_id": client, "recipient": "transit",
                                 "purpose": "referral", "scope": ["identity"]})
        referral = {"actor": CRIMINOLOGIST, "referral_id": rpc.referrals.propose_referral(
            {**me, "partner": "transit", "domains": ["addiction"], "reason": "r"})["referral_id"]}
        wait_until(lambda: _sent(rpc, referral), what="the consent to reach referrals")
        for step in ("acknowledged", "accepted"):
            rpc.referrals.record_referral_step({**referral, "step": step})
        platform.start("notifications", "serve")
        platform.wait_healthy("notifications")

        expected = 2 + 3 + 1  # two assignments; reminder, condition ending, referral answer; interpreter desk
        wait_until(lambda: len(list(folder.glob("*.eml"))) == expected, timeout=60, what=f"{expected} e-mails")
        time.sleep(3)  # nothing more arrives: once each
        inbox = rpc.notifications.inbox({"actor": CRIMINOLOGIST})
        french = rpc.notifications.inbox({"actor": WORKER})

    received = mails(folder)
    assert len(received) == expected
    by_address = {}
    for message in received:
        by_address.setdefault(message["To"], []).append(message["Subject"])
    assert sorted(by_address["apo-crim-1@apo.example.org"]) == sorted(
        ["Nieuwe cliënt toegewezen", "Afspraak morgen", "Einde van een voorwaarde nadert", "Doorverwijzing beantwoord"])
    assert by_address["apo-sa-1@apo.example.org"] == ["Nouveau client attribué"]
    assert by_address["interpreters@apo.example.org"] == ["Aanvraag tolk"]
    assert sorted(m["kind"] for m in inbox) == [
        "appointment_tomorrow", "condition_ending", "new_assignment", "referral_answered"]
    assert all(m["language"] == "nl" for m in inbox) and [m["language"] for m in french] == ["fr"]
    assert all("Testperson" not in m.as_string() for m in received)


def _trajectory(rpc, me):
    try:
        return rpc.guidance.trajectory(me)
    except Exception:
        return None


def _sent(rpc, referral) -> bool:
    try:
        return rpc.referrals.record_referral_step({**referral, "step": "sent"})["state"] == "sent"
    except Exception:
        return False
