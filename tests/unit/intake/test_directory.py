"""The directory of agencies and staff as use cases (services/intake/directory.py)."""
import pytest

from shared.config import DEPLOY_DIR
from shared.domain import NotNow, Unknown
from shared.errors import Conflict, Forbidden
from tests.support.samples import COORDINATOR

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
OTHER_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}


def test_the_sample_directory_is_loaded_once_and_marked_as_sample(intake):
    assert intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json") == 0
    agencies = intake.directory()
    assert len(agencies) == 7 and all(a["sample"] for a in agencies)


def test_the_sample_directory_keeps_who_is_inactive(intake):
    staff = {m["user_id"]: m for a in intake.directory() for m in a["staff"]}
    assert staff["dsr-sa-2"]["active"] is False and staff["dsr-sa-1"]["active"] is True


def test_only_an_admin_registers_agencies_and_a_coordinator_only_its_own_staff(intake):
    with pytest.raises(Forbidden):
        intake.register_agency(COORDINATOR, "new-agency", "New", ["nl"], False)
    intake.register_agency(ADMIN, "new-agency", "New", ["nl"], False)
    with pytest.raises(Conflict):
        intake.register_agency(ADMIN, "new-agency", "New", ["nl"], False)
    with pytest.raises(Forbidden):
        intake.add_staff_member(COORDINATOR, "new-agency", "n-1", "N. One", "jurist", ["nl"])
    intake.add_staff_member(COORDINATOR, "apo", "apo-jur-9", "J. Nine", "jurist", ["nl"])
    assert "apo-jur-9" in {m["user_id"] for m in intake.agency("apo").staff.values()}


def test_a_staff_member_is_added_once(intake):
    with pytest.raises(NotNow) as refused:
        intake.add_staff_member(ADMIN, "apo", "apo-sa-1", "S. Again", "jurist", ["nl"])
    assert refused.value.details == {"user_id": ["apo-sa-1"]}


def test_a_coordinator_changes_only_their_own_agencys_staff(intake):
    with pytest.raises(Forbidden):
        intake.set_staff_member_active(OTHER_COORDINATOR, "apo", "apo-sa-1", False)
    with pytest.raises(Unknown):
        intake.set_staff_member_active(COORDINATOR, "apo", "dsr-sa-1", False)
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", False)
    assert intake.agency("apo").active_member("apo-sa-1") is None


def test_a_change_to_what_a_member_is_already_stores_nothing(intake, new_request):
    head = intake.head()
    new_request()
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", True)
    assert intake.head() == head
    new_request()
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", False)
    assert intake.head() == head + 2  # the change, and the request's marker
    new_request()
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", False)
    assert intake.head() == head + 2
