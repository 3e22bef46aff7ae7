"""A service's part of a subject-access document (shared.subject_access): the
client's facts as stored, what is about other people withheld, for a coordinator of
the client's agency or the data-protection officer, recorded as a read."""
import datetime as dt

import pytest

from shared import subject_access
from shared.config import DEPLOY_DIR
from shared.errors import Forbidden
from tests.support.fakes import Link, guidance, intake as new_intake
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}


@pytest.fixture
def world():
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    follower = guidance()
    link = Link(follower, intake, "intake")
    client_id = intake.register_client(WORKER, **registration_args())
    intake.give_consent(WORKER, client_id, "family", "family_involvement", ["identity"])
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    link.deliver()
    now = dt.datetime.now(dt.timezone.utc)
    follower.record_intervention(WORKER, client_id, **intervention_args(now - dt.timedelta(hours=1),
                                                                         note="we talked about the flat"))
    member = follower.add_network_member(WORKER, client_id, "sibling", "Yasmina, her sister")
    follower.record_network_contact(WORKER, client_id, member, now.date(), "phone", "the sister will help")
    return intake, follower, client_id


def test_the_client_s_facts_are_shown_and_what_is_about_others_withheld(world):
    intake, follower, client_id = world
    facts = subject_access.gather(follower, COORDINATOR, client_id)
    shown = str(facts)
    assert "we talked about the flat" in shown  # the worker's notes about the client are theirs to read
    assert "Yasmina" not in shown and "the sister will help" not in shown
    member = next(f for f in facts if f["fact"] == "NetworkMember")
    assert member["fields"]["relation"] == "sibling" and member["fields"]["known_as"] == subject_access.WITHHELD
    assert [f["fact"] for f in subject_access.gather(intake, DPO, client_id)][0] == "Registration"


def test_only_a_coordinator_of_the_client_s_agency_or_the_dpo_may_ask_and_the_read_is_recorded(world):
    intake, follower, client_id = world
    with pytest.raises(Forbidden):
        subject_access.gather(follower, WORKER, client_id)
    with pytest.raises(Forbidden):
        subject_access.gather(follower, {**COORDINATOR, "agency": "dsr"}, client_id)
    subject_access.gather(follower, DPO, client_id)
    reads = [n for n in follower.recorder.select_notifications(1, 1000) if n.topic.endswith("FileRead.Recorded")]
    read = follower.mapper.to_domain_event(reads[-1])
    assert (read.reader, read.purpose, read.query) == ("dpo-1", "subject_access", "subject_access")


def test_once_the_client_is_erased_there_is_nothing_of_theirs_to_give(world):
    from shared.errors import Gone

    intake, follower, client_id = world
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    intake.approve_erasure(DPO, client_id)
    with pytest.raises(Gone):
        subject_access.gather(intake, DPO, client_id)
