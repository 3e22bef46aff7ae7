"""Intake's contracts as a caller and a consumer meet them: a command holds the caller
to the fact's input rules, while a published version promises only what version 1
promised (shared/contracts/intake.py; the catalogue guard keeps version 1 itself)."""
import uuid

import pytest

from shared.contracts import intake, intake_directory
from shared.contracts.base import ROLES, validate_command
from shared.contracts.intake_vocabulary import STAFF_PROFILES
from shared.errors import InvalidInput
from tests.support.samples import WORKER

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}


def refused(command, payload) -> dict:
    with pytest.raises(InvalidInput) as refusal:
        validate_command(command, payload)
    return refusal.value.details


def about_a_client(**data) -> dict:
    return {"actor": WORKER, "client_id": str(uuid.uuid4()), **data}


def test_a_help_request_names_domains_of_the_reference_data_that_its_published_version_does_not_list():
    request = about_a_client(source="self", question="Je cherche un logement")
    assert validate_command(intake.ReceiveHelpRequest, {**request, "domains": ["housing"]})["urgency"] == "normal"
    assert list(refused(intake.ReceiveHelpRequest, {**request, "domains": ["gardening"]})) == ["domains.0"]
    # The fact keeps the rule its published version left out (marshmallow shares a list's items between copies).
    (rule,) = intake.HelpRequest._declared_fields["domains"].inner.validators
    assert "gardening" not in rule.choices
    published = {"client_id": str(uuid.uuid4()), "request_id": str(uuid.uuid4()), "agency": "apo",
                 "source": "self", "domains": ["a-domain-added-later"], "urgency": "normal"}
    assert intake.HelpRequestReceivedV1().validate(published) == {}


def test_a_consent_s_recipient_is_a_code_that_its_published_version_does_not_shape():
    consent = about_a_client(purpose="transfer", scope=["identity"])
    assert validate_command(intake.GiveConsent, {**consent, "recipient": "dsr"})["recipient"] == "dsr"
    assert refused(intake.GiveConsent, {**consent, "recipient": "Not A Code"}) == {
        "recipient": ["must be a short lower-case code"]}
    assert refused(intake.WithdrawConsent, about_a_client(recipient="X", purpose="transfer")) == {
        "recipient": ["must be a short lower-case code"]}
    published = {"client_id": str(uuid.uuid4()), "consent_id": str(uuid.uuid4()), "recipient": "Partner 7",
                 "purpose": "transfer", "scope": ["identity"]}
    assert intake.ConsentGivenV1().validate(published) == {}


def test_a_staff_member_has_a_profile_that_takes_clients_which_the_published_version_does_not_list():
    member = {"actor": ADMIN, "agency": "apo", "user_id": "apo-sa-9", "display_name": "S. Nine",
              "languages": ["fr"]}
    assert validate_command(intake_directory.AddStaffMember, {**member, "profile": "jurist"})["profile"] == "jurist"
    assert list(refused(intake_directory.AddStaffMember, {**member, "profile": "auditor"})) == ["profile"]
    assert list(refused(intake_directory.AddStaffMember, {**member, "profile": "jurist", "agency": "APO"})) == ["agency"]
    published = {"agency": "apo", "user_id": "apo-sa-9", "profile": "a-profile-added-later", "languages": ["fr"]}
    assert intake_directory.StaffMemberAddedV1().validate(published) == {}
    # Staff of an agency take clients; the platform's other roles (a funder among them) do not.
    assert STAFF_PROFILES == tuple(role for role in ROLES if role not in ("auditor", "admin", "data_protection_officer",
                                                                   "partner", "funder"))


def test_a_registration_needs_no_interpreter_unless_said_but_recording_languages_says_it():
    registration = validate_command(intake.RegisterClient, {
        "actor": WORKER, "given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
        "legal_position": "convicted", "situation": "probation", "languages": ["fr"], "preferred_language": "fr"})
    assert (registration["interpreter_needed"], registration["contact"], registration["national_number"]) == (
        False, {}, None)
    languages = about_a_client(expected_version=1, languages=["fr"], preferred_language="fr")
    assert list(refused(intake.RecordLanguages, languages)) == ["interpreter_needed"]

