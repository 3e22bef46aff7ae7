"""What each agency reads of intake's client file after a transfer (issue 16, item 5):
the agency the client left, what it recorded itself as it stood when the client
left; the agency that received the client, the earlier file only in the categories
of the transfer consent."""
import pytest

from shared import access_log
from shared.consented import NOT_CONSENTED, uncategorised
from shared.contracts.intake_answers import ClientFile
from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER

SAB_WORKER = {"user_id": "sab-sa-1", "role": "social_assistant", "agency": "sab"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
DSR_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}


@pytest.fixture
def transferred(intake, register):
    """A client guided by apo, with a transfer consent to sab for identity and help
    request, transferred to sab's social assistant; then sab records its own help request."""
    client_id = register()
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "A room, please.", "urgent")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    intake.give_consent(WORKER, client_id, "caw-brussel", "coordination", ["identity"])
    intake.give_consent(WORKER, client_id, "sab", "transfer", ["identity", "help_request"])
    intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    intake.receive_help_request(SAB_WORKER, client_id, "self", ["work"], "A job, later.", "normal")
    intake.give_consent(SAB_WORKER, client_id, "caw-brussel", "referral", ["identity"])
    return client_id


def test_the_old_agency_reads_what_it_recorded_as_it_stood_when_the_client_left(intake, transferred):
    file = intake.client_file(WORKER, transferred)
    assert file["transferred"]["agency"] == "sab"
    assert [r["question"] for r in file["help_requests"]] == ["A room, please."]  # not sab's
    assert [d["decision"] for d in file["decisions"]] == ["accepted", "transferred"]
    assert sorted((c["recipient"], c["purpose"]) for c in file["consents"]) == [
        ("caw-brussel", "coordination"), ("sab", "transfer")]  # not the one sab recorded
    assert file["personal"]["family_name"] == "Testperson" and file["withheld"] == {}
    assert ClientFile().validate(file) == {}


def test_the_new_agency_reads_the_earlier_file_in_the_consented_categories_only(intake, transferred):
    file = intake.client_file(SAB_WORKER, transferred)
    assert file["transferred"] is None and file["agency"] == "sab"
    assert file["personal"]["given_names"] == "Samira"  # identity: consented
    assert file["personal"]["contact"] is None  # contact: not consented
    assert file["legal_position"] is None and file["languages"] is None  # legal situation, languages: not
    earlier, own = file["help_requests"]
    assert earlier["question"] == "A room, please."  # help request: consented
    assert own["question"] == "A job, later."
    assert file["withheld"] == {name: NOT_CONSENTED for name in (
        "personal.contact", "legal_position", "situation", "languages", "preferred_language", "interpreter_needed")}
    assert ClientFile().validate(file) == {}


def test_with_fewer_categories_the_earlier_help_request_is_withheld_and_sab_s_own_is_not(intake, register):
    client_id = register()
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "A room, please.", "urgent")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    intake.give_consent(WORKER, client_id, "sab", "transfer", ["identity"])
    intake.transfer(COORDINATOR, client_id, "sab")
    intake.receive_help_request(SAB_WORKER, client_id, "self", ["work"], "A job, later.", "normal")
    earlier, own = intake.client_file(SAB_COORDINATOR, client_id)["help_requests"]
    assert (earlier["question"], earlier["domains"], earlier["urgency"]) == (None, None, None)
    assert (own["question"], own["urgency"]) == ("A job, later.", "normal")


def test_the_categories_are_those_of_the_consent_when_the_transfer_took_place(intake, transferred):
    # Widened later: the earlier file was transferred under the narrower one.
    intake.give_consent(SAB_WORKER, transferred, "sab", "transfer", ["identity", "help_request", "contact"])
    assert intake.client_file(SAB_WORKER, transferred)["personal"]["contact"] is None


def test_an_agency_the_client_never_was_with_reads_nothing(intake, transferred):
    with pytest.raises(Forbidden):
        intake.client_file(DSR_WORKER, transferred)


def test_each_read_is_on_the_access_log(intake, transferred):
    intake.client_file(WORKER, transferred)
    intake.client_file(SAB_WORKER, transferred)
    readers = [e.agency for e in intake.stored(access_log.FileRead.Recorded)]
    assert readers[-2:] == ["apo", "sab"]


def test_every_field_of_the_file_declares_its_category():
    assert uncategorised(ClientFile) == []
