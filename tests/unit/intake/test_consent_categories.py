"""A consent names data categories (WAVE2 9), is given to an organisation the
platform knows (an agency of intake's directory, or an active partner learnt from
referrals' facts), says whether history is shared, and is published as
consent-given.v2 beside v1 (WAVE2 18)."""
import datetime as dt
import uuid

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.intake.domain import Consent
from shared.contracts import intake as contracts
from shared.contracts.base import validate_command
from shared.contracts.declare import CATEGORIES
from shared.contracts.intake_vocabulary import (
    SHARED_DATA, V1_SCOPES, categories_of, v1_categories_of, v1_scope_of,
)
from shared.errors import InvalidInput
from shared.outbox import Outbox
from tests.support.partners import ReferralsFeed, know_sample_partners, sample_partners
from tests.support.samples import WORKER

GUIDANCE_PROGRESS = ["trajectory_summary", "interventions", "appointments", "referrals", "conditions"]


# -- the mapping between version 1's scopes and the categories ---------------------------

def test_every_v1_scope_maps_to_categories_and_every_category_to_one_v1_scope():
    assert set(V1_SCOPES) == set(SHARED_DATA)
    assert {c for cs in V1_SCOPES.values() for c in cs} == set(CATEGORIES)
    assert v1_categories_of(["identity"]) == ["identity", "languages"]
    assert v1_categories_of(["guidance_progress"]) == GUIDANCE_PROGRESS
    assert v1_scope_of(["languages"]) == ["identity"]
    assert v1_scope_of(GUIDANCE_PROGRESS + ["identity", "languages"]) == ["identity", "guidance_progress"]
    for scope in SHARED_DATA:  # there and back
        assert v1_scope_of(v1_categories_of([scope])) == [scope]


def test_a_command_s_scope_names_categories_and_guidance_progress_stands_for_what_it_covered():
    assert categories_of(["identity", "help_request"]) == ["identity", "help_request"]  # identity alone, here
    assert categories_of(["guidance_progress", "attendance"]) == GUIDANCE_PROGRESS + ["attendance"]
    assert categories_of(["interventions", "trajectory_summary", "interventions"]) == [
        "trajectory_summary", "interventions"]


def test_an_unknown_category_is_refused_naming_scope():
    payload = {"actor": WORKER, "client_id": str(uuid.uuid4()), "recipient": "transit", "purpose": "referral"}
    loaded = validate_command(contracts.GiveConsent, {**payload, "scope": ["languages", "guidance_progress"]})
    assert loaded["share_history"] is False
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.GiveConsent, {**payload, "scope": ["identity", "everything"]})
    assert set(refused.value.details) == {"scope.1"}
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.GiveConsent, {**payload, "scope": []})
    assert set(refused.value.details) == {"scope"}
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.GiveConsent, {**payload, "scope": ["identity"], "categories": ["identity"]})
    assert set(refused.value.details) == {"categories"}  # set by intake from the scope, not given


# -- who may receive -----------------------------------------------------------------------

def test_a_consent_goes_to_an_agency_or_an_active_partner_organisation(intake, register):
    client_id = register()
    with pytest.raises(InvalidInput) as refused:
        intake.give_consent(WORKER, client_id, "transit", "referral", ["identity"])
    assert refused.value.details == {"recipient": ["not an agency or an active partner organisation"]}
    feed = ReferralsFeed(intake)
    transit = next(p for p in sample_partners() if p["code"] == "transit")
    assert feed.registered(transit) == "applied"
    intake.give_consent(WORKER, client_id, "transit", "referral", ["identity"])
    intake.give_consent(WORKER, client_id, "dsr", "coordination", ["identity"])  # an agency of the directory
    assert feed.deactivated("transit") == "applied"
    with pytest.raises(InvalidInput) as refused:
        intake.give_consent(WORKER, client_id, "transit", "coordination", ["identity"])
    assert refused.value.details == {"recipient": ["not an agency or an active partner organisation"]}
    assert feed.changed(transit) == "applied"  # a change describes it whole: active again
    intake.give_consent(WORKER, client_id, "transit", "coordination", ["identity"])
    assert not feed.dead_letters


def test_a_partner_first_heard_of_by_a_change_is_known_and_an_unknown_one_deactivated_is_not(intake, register):
    client_id = register()
    feed = ReferralsFeed(intake)
    casmd = next(p for p in sample_partners() if p["code"] == "casmd")
    assert feed.deactivated("nobody-known") == "ignored"
    assert feed.changed(casmd) == "applied"
    intake.give_consent(WORKER, client_id, "casmd", "referral", ["help_request"])
    with pytest.raises(InvalidInput):
        intake.give_consent(WORKER, client_id, "nobody-known", "referral", ["help_request"])


def test_a_transfer_consent_names_an_agency(intake, register):
    client_id = register()
    know_sample_partners(intake)
    with pytest.raises(InvalidInput) as refused:
        intake.give_consent(WORKER, client_id, "transit", "transfer", ["identity"])
    assert refused.value.details == {"recipient": ["not an agency"]}
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])


def test_the_family_and_judicial_actors_are_people_not_organisations_of_the_platform(intake, register):
    client_id = register()
    intake.give_consent(WORKER, client_id, "family", "family_involvement", ["attendance"])
    intake.give_consent(WORKER, client_id, "court-x", "judicial_information", ["attendance"])


# -- what is recorded, published and shown -----------------------------------------------

def test_a_consent_is_published_in_both_versions_side_by_side(intake, register):
    client_id = register()
    consent_id = intake.give_consent(WORKER, client_id, "dsr", "coordination", ["languages", "guidance_progress"],
                                     share_history=True)
    consent_events = [e for e in Outbox(intake).read(0, 1000) if e["type"].startswith("be.jww.intake.consent-")]
    v2, v1 = consent_events
    assert v2["type"] == "be.jww.intake.consent-given.v2" and v1["type"] == "be.jww.intake.consent-given.v1"
    assert v2["jwwposition"] < v1["jwwposition"]  # each at a position of its own: neither is a redelivery
    assert v2["data"] == {"client_id": str(client_id), "consent_id": str(consent_id), "recipient": "dsr",
                          "purpose": "coordination", "categories": ["languages"] + GUIDANCE_PROGRESS,
                          "share_history": True}
    assert v1["data"] == {"client_id": str(client_id), "consent_id": str(consent_id), "recipient": "dsr",
                          "purpose": "coordination", "scope": ["identity", "guidance_progress"]}
    assert v1["subject"] == v2["subject"] == str(client_id) and v1["jwwactor"] == v2["jwwactor"] == "apo-sa-1"
    (shown,) = intake.client_file(WORKER, client_id)["consents"]
    assert (shown["categories"], shown["share_history"]) == (["languages"] + GUIDANCE_PROGRESS, True)


def test_history_is_not_shared_unless_said_and_saying_it_is_a_new_period(intake, register):
    client_id = register()
    consent_id = intake.give_consent(WORKER, client_id, "dsr", "coordination", ["identity"])
    assert intake.repository.get(consent_id).share_history is False
    version = intake.repository.get(consent_id).version
    intake.give_consent(WORKER, client_id, "dsr", "coordination", ["identity"], share_history=True)
    consent = intake.repository.get(consent_id)
    assert consent.share_history is True and consent.version == version + 2


def test_a_consent_stored_with_version_1_s_scope_still_loads_as_its_categories(intake, register):
    """A consent event stored by the code before categories: ``scope`` with v1 names,
    no ``share_history``, no class version."""
    client_id = register()
    consent_id = Consent.create_id(client_id, "dsr", "coordination")
    old_state = {"timestamp": dt.datetime.now(dt.timezone.utc), "client_id": client_id, "agency": "apo",
                 "recipient": "dsr", "purpose": "coordination", "scope": ["identity", "guidance_progress"],
                 "given_by": WORKER, "correlation_id": "", "originator_topic": get_topic(Consent)}
    intake.recorder.insert_events([StoredEvent(
        originator_id=consent_id, originator_version=1, topic=get_topic(Consent.Given),
        state=intake.mapper.transcoder.encode(old_state))])
    consent = intake.repository.get(consent_id)
    assert isinstance(consent, Consent) and consent.active
    assert (consent.categories, consent.share_history) == (["identity", "languages"] + GUIDANCE_PROGRESS, False)
    (v2,) = [e for e in Outbox(intake).read(0, 1000) if e["type"] == "be.jww.intake.consent-given.v2"]
    assert v2["data"]["categories"] == ["identity", "languages"] + GUIDANCE_PROGRESS
    # Given again as the stored consent reads now: nothing new happened.
    intake.give_consent(WORKER, client_id, "dsr", "coordination", ["identity", "languages", "guidance_progress"])
    assert intake.repository.get(consent_id).version == 1
