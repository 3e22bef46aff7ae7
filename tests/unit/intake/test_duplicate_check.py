"""A national number already on another agency's file (WAVE2 15): the registration is
held pending a duplicate check, the worker learns only that a coordinator must check
a possible duplicate, and the coordinators of both agencies settle it, on the access
log. On an in-memory intake with the sample directory (conftest.py)."""
import json

import pytest

from services.intake.domain import DuplicateCheck, NationalNumberClaim
from services.intake.domain.duplicate_check import (
    NOTICE, AlreadySettled, AwaitsTheOtherAgency, ClosedAsDuplicate, HeldForDuplicateCheck,
)
from shared import access_log
from shared.contracts import intake as contracts
from shared.errors import Forbidden, NotFound
from shared.outbox import Outbox
from tests.support.declarations import declared_names, event_fields
from tests.support.samples import COORDINATOR as APO_COORDINATOR, WORKER

NATIONAL_NUMBER = "85073003328"
DSR_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
DSR_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}


@pytest.fixture
def held(intake, register):
    """apo registered the person; dsr registers the same number: (apo's file, dsr's held file)."""
    existing = register(national_number=NATIONAL_NUMBER)
    new = register(actor=DSR_WORKER, national_number="85.07.30-033.28", family_name="Other", languages=["nl"],
                   preferred_language="nl")
    return existing, new


def reads(intake) -> list[tuple[str, str, str]]:
    return [(str(r.client_id), r.reader, r.query) for r in intake.stored(access_log.FileRead.Recorded)]


def check_id(new) -> str:
    return str(DuplicateCheck.create_id(new))


def test_another_agency_s_registration_is_held_and_the_worker_learns_only_that(intake, held):
    existing, new = held
    assert intake.duplicate_notice(new) == {"duplicate_check": NOTICE}
    assert intake.duplicate_notice(existing) == {}
    file = intake.client_file(DSR_WORKER, new)
    assert file["agency"] == "dsr" and file["duplicate_check"] == {"status": "pending", "followed_by": None}
    # The number stays with the file that claims it: the held one keeps none, and says nothing of the other.
    assert file["personal"]["national_number"] is None
    assert str(existing) not in json.dumps(file, default=str) and "apo" not in json.dumps(file, default=str)
    claim = NationalNumberClaim.create_id(NationalNumberClaim.digest(NATIONAL_NUMBER, intake.national_number_key))
    assert intake.repository.get(claim).client_id == existing
    # The registration consulted apo's file on the worker's behalf: on that file's access log.
    assert (str(existing), "dsr-sa-1", "possible_duplicate_held") in reads(intake)


def test_what_is_published_of_a_hold_names_neither_the_other_agency_nor_its_file(intake, held):
    existing, new = held
    (event,) = [e for e in Outbox(intake).read(0, 1000) if e["type"].endswith("possible-duplicate-held.v1")]
    assert event["data"] == {"client_id": str(new), "agency": "dsr"}
    assert str(existing) not in json.dumps(event, default=str)


def test_a_held_registration_takes_no_intake_decision(intake, held):
    _, new = held
    for decide in (lambda: intake.accept(DSR_COORDINATOR, new, "dsr-sa-1"),
                   lambda: intake.waitlist(DSR_COORDINATOR, new)):
        with pytest.raises(HeldForDuplicateCheck) as refused:
            decide()
        assert refused.value.details == {"duplicate_check": ["pending"]}
    assert intake.client_file(DSR_WORKER, new)["status"] == "registered"


def test_the_coordinators_of_both_agencies_see_the_check_each_from_their_own_side(intake, held):
    existing, new = held
    (dsr_view,) = intake.duplicate_checks(DSR_COORDINATOR)
    (apo_view,) = intake.duplicate_checks(APO_COORDINATOR)
    assert (dsr_view["side"], dsr_view["client_id"], dsr_view["other_agency"]) == ("registering", str(new), "apo")
    assert (apo_view["side"], apo_view["client_id"], apo_view["other_agency"]) == ("existing", str(existing), "dsr")
    assert dsr_view["check_id"] == apo_view["check_id"] == check_id(new) and dsr_view["status"] == "pending"
    assert str(existing) not in json.dumps(dsr_view)  # the other file's id is not shown across agencies
    assert intake.duplicate_checks(SAB_COORDINATOR) == []  # not a party
    with pytest.raises(Forbidden):
        intake.duplicate_checks(DSR_WORKER)  # coordinators only
    # Each coordinator's read is on the access log of both files.
    logged = reads(intake)
    for reader in ("dsr-coord", "apo-coord"):
        assert {(str(existing), reader, "duplicate_checks"), (str(new), reader, "duplicate_checks")} <= set(logged)


def test_same_person_takes_a_coordinator_of_each_agency_and_closes_the_new_file_as_a_duplicate(intake, held):
    existing, new = held
    stated = intake.settle_duplicate_check(DSR_COORDINATOR, check_id(new), "same_person")
    assert stated["status"] == "pending" and stated["finding_stated"] == {"finding": "same_person", "agency": "dsr"}
    with pytest.raises(AwaitsTheOtherAgency):  # four eyes across agencies: not the same agency twice
        intake.settle_duplicate_check({**DSR_COORDINATOR, "user_id": "dsr-coord-2"}, check_id(new), "same_person")
    settled = intake.settle_duplicate_check(APO_COORDINATOR, check_id(new), "same_person")
    assert (settled["status"], settled["followed_by"]) == ("linked", "apo")
    # The registering agency is told which agency follows the client: a transfer or a consent can follow.
    assert intake.client_file(DSR_WORKER, new)["duplicate_check"] == {"status": "linked", "followed_by": "apo"}
    with pytest.raises(ClosedAsDuplicate):
        intake.accept(DSR_COORDINATOR, new, "dsr-sa-1")
    with pytest.raises(AlreadySettled):
        intake.settle_duplicate_check(DSR_COORDINATOR, check_id(new), "different_person")
    (event,) = [e for e in Outbox(intake).read(0, 1000) if e["type"].endswith("duplicate-check-settled.v1")]
    assert event["data"] == {"client_id": str(new), "agency": "dsr", "outcome": "linked"}
    assert event["jwwactor"] == "apo-coord"
    for reader in ("dsr-coord", "apo-coord"):
        assert (str(existing), reader, "settle_duplicate_check") in reads(intake)


def test_different_people_release_the_hold_and_the_number_stays_with_the_existing_file(intake, held, register):
    existing, new = held
    intake.settle_duplicate_check(APO_COORDINATOR, check_id(new), "different_person")
    # The other side disagrees: its finding replaces the first, which must now be confirmed by apo.
    countered = intake.settle_duplicate_check(DSR_COORDINATOR, check_id(new), "same_person")
    assert countered["status"] == "pending" and countered["finding_stated"]["agency"] == "dsr"
    intake.settle_duplicate_check(DSR_COORDINATOR, check_id(new), "different_person")
    released = intake.settle_duplicate_check(APO_COORDINATOR, check_id(new), "different_person")
    assert (released["status"], released["followed_by"]) == ("released", None)
    intake.accept(DSR_COORDINATOR, new, "dsr-sa-1")
    assert intake.client_file(DSR_WORKER, new)["status"] == "accepted"
    assert [r["client_id"] for r in intake.search(WORKER, national_number=NATIONAL_NUMBER)] == [str(existing)]
    assert intake.search(DSR_WORKER, national_number=NATIONAL_NUMBER) == []


def test_only_the_two_agencies_coordinators_settle_it(intake, held):
    _, new = held
    with pytest.raises(Forbidden) as refused:
        intake.settle_duplicate_check(SAB_COORDINATOR, check_id(new), "same_person")
    assert refused.value.message == "only the coordinators of the two agencies settle a duplicate check"
    with pytest.raises(Forbidden):
        intake.settle_duplicate_check(DSR_WORKER, check_id(new), "same_person")
    with pytest.raises(NotFound):
        intake.settle_duplicate_check(DSR_COORDINATOR, "00000000-0000-4000-8000-000000000000", "same_person")
    assert intake.duplicate_checks(DSR_COORDINATOR)[0]["finding_stated"] is None


def test_the_same_agency_still_learns_its_own_client(intake, register):
    """Unchanged (test_application.py): a second registration in the same agency is refused, naming the file."""
    first = register(national_number=NATIONAL_NUMBER)
    with pytest.raises(Exception) as refused:
        register(actor={**WORKER, "user_id": "apo-crim-1", "role": "criminologist"}, national_number=NATIONAL_NUMBER)
    assert refused.value.details["existing_client_id"] == [str(first)]
    assert intake.duplicate_checks(APO_COORDINATOR) == []


@pytest.mark.parametrize("event_class, fact", [
    (DuplicateCheck.Held, contracts.DuplicateHold), (DuplicateCheck.FindingStated, contracts.DuplicateFinding),
    (DuplicateCheck.Settled, contracts.DuplicateSettlement),
], ids=lambda v: getattr(v, "__qualname__", ""))
def test_each_duplicate_check_event_carries_exactly_its_declaration(event_class, fact):
    assert event_fields(event_class) == declared_names(fact)
