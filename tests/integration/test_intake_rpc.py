"""Intake through RPC on the running platform, against the real RabbitMQ."""
import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.broker import wait_until
from tests.support.platform import count_events
from tests.support.samples import COORDINATOR, WORKER, registration_payload

FOLLOWERS = ("guidance", "referrals", "notifications")
NATIONAL_NUMBER = "85.07.30-033.28"


def test_a_client_goes_from_registration_to_an_accepted_intake(platform):
    platform.start_services("intake", *FOLLOWERS)
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(
            registration_payload(national_number=NATIONAL_NUMBER, languages=["ar", "fr"], preferred_language="ar")
        )["client_id"]
        rpc.intake.receive_help_request({
            "actor": WORKER, "client_id": client_id, "source": "justice_assistant",
            "domains": ["housing", "income_debts"], "question": "Je cherche un logement.", "urgency": "high",
        })
        rpc.intake.give_consent({
            "actor": WORKER, "client_id": client_id, "recipient": "caw-brussel", "purpose": "referral",
            "scope": ["identity", "help_request"],
        })
        file = rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})

    assert (file["status"], file["worker"], file["interpreter"]) == ("accepted", "apo-sa-1", None)
    assert [(c["recipient"], c["purpose"], c["categories"], c["share_history"], c["active"])
            for c in file["consents"]] == [("caw-brussel", "referral", ["identity", "help_request"], False, True)]
    intake = platform.application("intake")
    wait_until(lambda: intake.position_of("relay") == intake.head(), what="the relay to publish everything")
    last_event = Outbox(intake).last_published_at_or_before(intake.head())  # the reads are not theirs
    for service in FOLLOWERS:
        wait_until(
            lambda: platform.application(service).position_of("intake") >= last_event,
            what=f"{service} to receive every intake event",
        )
        assert count_events(platform.application(service), "ClientOnRecord.Recorded") == 1


def test_refusals_travel_back_to_the_caller_with_their_reasons(platform):
    platform.start_services("intake")
    with platform.rpc() as rpc:
        with pytest.raises(InvalidInput) as invalid:
            rpc.intake.register_client(registration_payload(national_number="85.07.30-033.29"))
        first = rpc.intake.register_client(registration_payload(national_number=NATIONAL_NUMBER))["client_id"]
        with pytest.raises(Conflict) as duplicate:
            rpc.intake.register_client(registration_payload(national_number="85073003328"))
        with pytest.raises(Forbidden):
            rpc.intake.accept_intake({"actor": WORKER, "client_id": first, "worker": "apo-sa-1"})
        with pytest.raises(NotFound):
            rpc.intake.client_file({"actor": WORKER, "client_id": "00000000-0000-4000-8000-000000000000"})
        with pytest.raises(Forbidden) as other_agency:
            rpc.intake.client_file({"actor": {**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, "client_id": first})

    assert invalid.value.details == {"national_number": ["the check digits do not match"]}
    assert duplicate.value.details["existing_client_id"] == [first]
    assert other_agency.value.message == "this client is followed by another agency"
    log = platform.logs("intake", "serve")
    assert '"msg": "refused"' in log and '"actor": "dsr-sa-1"' in log
    for personal in ("Samira", "Testperson", "85073003328", "85.07.30"):
        assert personal not in log


def test_search_and_waitlist_through_rpc(platform):
    platform.start_services("intake")
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload(family_name="Ölçer"))["client_id"]
        rpc.intake.waitlist_intake({"actor": COORDINATOR, "client_id": client_id})
        found = rpc.intake.search_clients({"actor": WORKER, "name": "olcer"})
        waiting = rpc.intake.waitlist({"actor": COORDINATOR, "agency": "apo"})
        with pytest.raises(InvalidInput) as nothing_to_search:
            rpc.intake.search_clients({"actor": WORKER})
    assert [f["client_id"] for f in found] == [client_id]
    assert [w["client_id"] for w in waiting] == [client_id]
    assert "name" in nothing_to_search.value.details
