"""The intake decisions as use cases: the worker is looked up in the client's agency
(or in the receiving one), the consent to a transfer among the client's consents;
the aggregates' refusals reach the caller with their codes (shared/rpc.py)."""
import pytest

from shared.domain import Invalid, NotNow, NotPermitted, RuleRefused
from shared.errors import Forbidden, NotFound
from shared.outbox import Outbox
from shared.rpc import refusal_of
from tests.support.samples import COORDINATOR, WORKER

OTHER_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
OTHER_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}


def test_accepting_to_a_worker_who_speaks_a_client_language(intake, register):
    client_id = register(languages=["ar"], preferred_language="ar")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")  # speaks fr and ar
    file = intake.client_file(WORKER, client_id)
    assert (file["status"], file["worker"], file["interpreter"]) == ("accepted", "apo-sa-1", None)
    accepted = [e for e in Outbox(intake).read(0, 100) if e["type"].endswith("intake-accepted.v1")][0]
    assert accepted["data"]["worker"] == "apo-sa-1" and accepted["data"]["situation"] == "probation"


def test_a_worker_without_a_common_language_needs_an_interpreter(intake, register):
    client_id = register(languages=["ar"], preferred_language="ar")
    with pytest.raises(NotNow) as refused:
        intake.accept(COORDINATOR, client_id, "apo-crim-1")  # speaks nl and en
    assert "interpreter" in refused.value.message
    assert "the client speaks ar" in refused.value.details["worker"][0]
    intake.accept(COORDINATOR, client_id, "apo-crim-1", {"language": "ar", "kind": "present"})
    assert intake.client_file(WORKER, client_id)["interpreter"] == {"language": "ar", "kind": "present"}


def test_an_interpreter_must_speak_the_clients_language(intake, register):
    client_id = register(languages=["ar"], preferred_language="ar")
    with pytest.raises(Invalid) as refused:
        intake.accept(COORDINATOR, client_id, "apo-crim-1", {"language": "tr", "kind": "present"})
    assert "interpreter.language" in refused.value.details


def test_a_telephone_interpreter_only_where_the_agency_has_them(intake, register):
    no_phone = next(a for a in intake.directory() if not a["telephone_interpreters"])
    coordinator = next(m for m in no_phone["staff"] if m["profile"] == "coordinator")
    actor = {"user_id": coordinator["user_id"], "role": "coordinator", "agency": no_phone["code"]}
    caseworker = {"user_id": "x", "role": "social_assistant", "agency": no_phone["code"]}
    worker = next(m for m in no_phone["staff"] if m["profile"] != "coordinator" and m["active"])
    client_id = register(actor=caseworker, languages=["zu"], preferred_language="zu")
    with pytest.raises(NotNow) as refused:
        intake.accept(actor, client_id, worker["user_id"], {"language": "zu", "kind": "telephone"})
    assert "interpreter.kind" in refused.value.details


def test_only_a_coordinator_of_the_agency_decides(intake, register):
    client_id = register()
    with pytest.raises(Forbidden):
        intake.accept(WORKER, client_id, "apo-sa-1")
    with pytest.raises(Forbidden):
        intake.accept(OTHER_COORDINATOR, client_id, "apo-sa-1")


def test_an_unknown_or_inactive_worker_is_refused(intake, register):
    client_id = register()
    with pytest.raises(Invalid):
        intake.accept(COORDINATOR, client_id, "nobody")
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", False)
    with pytest.raises(Invalid):
        intake.accept(COORDINATOR, client_id, "apo-sa-1")


def test_a_decision_is_taken_once(intake, register):
    client_id = register()
    intake.decline(COORDINATOR, client_id, "better_served_elsewhere", "needs a lawyer first")
    with pytest.raises(NotNow) as refused:
        intake.accept(COORDINATOR, client_id, "apo-sa-1")
    assert refused.value.details == {"status": ["declined"]}


def test_the_waitlist_holds_who_waits_in_order(intake, register):
    first, second, third = (register() for _ in range(3))
    for client_id in (first, second, third):
        intake.waitlist(COORDINATOR, client_id)
    intake.accept(COORDINATOR, second, "apo-sa-1")
    assert [w["client_id"] for w in intake.waitlist_of(COORDINATOR, "apo")] == [str(first), str(third)]
    with pytest.raises(Forbidden):
        intake.waitlist_of(WORKER, "apo")
    with pytest.raises(Forbidden):
        intake.waitlist_of(OTHER_COORDINATOR, "apo")


def test_reassignment_to_another_worker(intake, register, published):
    client_id = register(languages=["fr"], preferred_language="fr")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(NotNow):
        intake.reassign(COORDINATOR, client_id, "apo-sa-1")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    assert intake.client_file(WORKER, client_id)["worker"] == "apo-crim-1"
    assert "client-reassigned" in published()


def test_reassigning_a_client_not_yet_accepted_is_refused(intake, register):
    client_id = register()
    with pytest.raises(NotNow):
        intake.reassign(COORDINATOR, client_id, "apo-sa-1")


def test_a_transfer_needs_the_clients_consent(intake, register):
    client_id = register(languages=["fr", "nl"], preferred_language="fr")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(NotPermitted) as refused:
        intake.transfer(COORDINATOR, client_id, "dsr")
    assert "consent" in refused.value.details
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity", "legal_situation"])
    intake.transfer(COORDINATOR, client_id, "dsr")
    assert intake.client_file(OTHER_WORKER, client_id)["agency"] == "dsr"
    # The old agency reads only what it recorded, as it stood when the client left (issue 16, item 5).
    assert intake.client_file(WORKER, client_id)["transferred"]["agency"] == "dsr"
    assert [w["client_id"] for w in intake.waitlist_of(OTHER_COORDINATOR, "dsr")] == [str(client_id)]


def test_a_transfer_to_an_unknown_agency_or_to_its_own_is_refused(intake, register):
    client_id = register()
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(NotFound):
        intake.transfer(COORDINATOR, client_id, "nowhere")
    with pytest.raises(NotNow):
        intake.transfer(COORDINATOR, client_id, "apo")


def test_a_transfer_chooses_the_worker_among_the_receiving_agencys_staff(intake, register):
    client_id = register(languages=["fr"], preferred_language="fr")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    with pytest.raises(Invalid) as refused:
        intake.transfer(COORDINATOR, client_id, "dsr", "apo-crim-1")  # works at apo, not at dsr
    assert refused.value.details == {"worker": ["not active at dsr"]}
    intake.transfer(COORDINATOR, client_id, "dsr", "dsr-coord")  # speaks fr
    file = intake.client_file(OTHER_WORKER, client_id)
    assert (file["agency"], file["status"], file["worker"]) == ("dsr", "accepted", "dsr-coord")


def caller_gets(call, *args) -> dict:
    """The refusal as the RPC edge answers it (shared.rpc maps each kind of domain refusal)."""
    with pytest.raises(RuleRefused) as refused:
        call(*args)
    return refusal_of(refused.value).as_dict()


def test_the_rules_refusals_reach_the_caller_with_their_codes_messages_and_fields(intake, register):
    client_id = register(languages=["ar"], preferred_language="ar")
    assert caller_gets(intake.accept, COORDINATOR, client_id, "nobody") == {
        "code": "invalid-input", "message": "no such active worker in this agency",
        "details": {"worker": ["not active at apo"]},
    }
    assert caller_gets(intake.reassign, COORDINATOR, client_id, "apo-sa-1") == {
        "code": "conflict", "message": "a client whose intake is registered cannot be reassigned",
        "details": {"status": ["registered"]},
    }
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    assert caller_gets(intake.transfer, COORDINATOR, client_id, "dsr") == {
        "code": "forbidden", "message": "the client has not consented to a transfer to this agency",
        "details": {"consent": ["no consent in force for recipient dsr, purpose transfer"]},
    }
    assert caller_gets(intake.set_staff_member_active, COORDINATOR, "apo", "nobody", False) == {
        "code": "not-found", "message": "no such staff member", "details": {"user_id": ["nobody"]},
    }


def test_the_pending_intakes_are_those_no_decision_was_taken_on_oldest_first(intake, register):
    first, second, third, fourth = (register() for _ in range(4))
    intake.accept(COORDINATOR, second, "apo-sa-1")
    intake.waitlist(COORDINATOR, third)
    intake.decline(COORDINATOR, fourth, "client_withdrew")
    (pending,) = intake.pending_intakes(COORDINATOR, "apo")
    assert pending["client_id"] == str(first) and pending["duplicate_check_pending"] is False
    assert pending["since"].endswith("+00:00")
    elsewhere = register(actor=OTHER_WORKER)
    assert [p["client_id"] for p in intake.pending_intakes(OTHER_COORDINATOR, "dsr")] == [str(elsewhere)]
    with pytest.raises(Forbidden):
        intake.pending_intakes(WORKER, "apo")
    with pytest.raises(Forbidden):
        intake.pending_intakes(OTHER_COORDINATOR, "apo")


def test_a_registration_held_for_a_duplicate_check_is_pending_and_says_so_until_linked(intake, register):
    register(national_number="85073003328")
    held = register(actor=OTHER_WORKER, national_number="85.07.30-033.28")
    assert intake.pending_intakes(OTHER_COORDINATOR, "dsr") == [
        {"client_id": str(held), "since": intake.pending_intakes(OTHER_COORDINATOR, "dsr")[0]["since"],
         "duplicate_check_pending": True}]
    (check,) = intake.duplicate_checks(OTHER_COORDINATOR)
    intake.settle_duplicate_check(OTHER_COORDINATOR, check["check_id"], "same_person")
    intake.settle_duplicate_check(COORDINATOR, check["check_id"], "same_person")
    assert intake.pending_intakes(OTHER_COORDINATOR, "dsr") == []  # closed as a duplicate: nothing to decide
