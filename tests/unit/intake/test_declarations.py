"""Intake's facts, declared once (shared/contracts/declare.py): what each event
carries, what is personal and published, and what commands and answers derive from."""
import pytest

from services.intake.domain import Agency as IntakeAgency, Client, Consent, Erasure
from shared.contracts import CATALOGUE, intake, intake_answers, intake_directory
from shared.contracts.declare import CATEGORIES, fields_in, personal_fields, properties
from tests.support.declarations import event_fields, declared_names, names_where


INTAKE_FACTS = {
    Client.Registered: intake.Registration, Client.LanguagesRecorded: intake.Languages,
    Client.HelpRequestReceived: intake.HelpRequest, Client.IntakeAccepted: intake.Acceptance,
    Client.IntakeDeclined: intake.Decline, Client.IntakeWaitlisted: intake.Waitlisting,
    Client.Reassigned: intake.Reassignment, Client.Transferred: intake.Transfer,
    Consent.Given: intake.ConsentGiven, Consent.GivenAgain: intake.ConsentGiven, Consent.Withdrawn: intake.ConsentWithdrawn,
    Consent.GivenInV1Terms: intake.ConsentGivenInV1Terms,
    IntakeAgency.Registered: intake_directory.AgencyRegistration,
    IntakeAgency.StaffMemberAdded: intake_directory.StaffMember,
    Erasure.Requested: intake.ErasureRequest, Erasure.RequestedAgain: intake.ErasureRequest,
    Erasure.Refused: intake.ErasureRefusal,
}
WHO_THE_PERSON_IS = {"given_names", "family_name", "birth_date", "national_number", "contact"}


@pytest.mark.parametrize("event_class", list(INTAKE_FACTS), ids=lambda c: c.__qualname__)
def test_each_intake_event_carries_exactly_its_declaration(event_class):
    assert event_fields(event_class) == declared_names(INTAKE_FACTS[event_class])


def test_a_staff_member_s_activity_is_named_by_its_event_and_who_changed_it():
    """Which of the two events it is says whether the member is active now."""
    for event_class, by in ((IntakeAgency.StaffMemberDeactivated, "deactivated_by"),
                            (IntakeAgency.StaffMemberReactivated, "reactivated_by")):
        assert event_fields(event_class) == declared_names(intake_directory.StaffMemberActivity, but={"active"}) | {by}


def test_who_the_person_is_and_how_to_reach_them_is_personal_and_never_published():
    registration = intake.Registration
    assert set(fields_in(registration, ["identity", "contact"])) == WHO_THE_PERSON_IS
    assert WHO_THE_PERSON_IS <= set(personal_fields(registration)) & names_where(registration, published=False)
    for name, schema in CATALOGUE.items():
        if name.startswith("be.jww.intake."):
            assert not WHO_THE_PERSON_IS & set(schema._declared_fields), name
    assert set(intake_answers.Personal._declared_fields) == WHO_THE_PERSON_IS  # only intake's own file shows it


def test_the_client_s_words_and_a_decline_s_note_are_case_notes_that_stay_in_intake():
    for fact, name in ((intake.HelpRequest, "question"), (intake.Decline, "note")):
        assert properties(fact._declared_fields[name]) == {
            "published": False, "personal": True, "category": "help_request", "retention": "case_notes", "since": 1,
            "given": True}, name


def test_where_the_client_stands_what_they_speak_and_what_help_they_ask_is_personal_even_when_published():
    assert names_where(intake.Registration, personal=True, published=True) == {
        "legal_position", "languages", "preferred_language", "interpreter_needed"}
    assert names_where(intake.HelpRequest, personal=True) == {"source", "domains", "question"}
    assert names_where(intake.Acceptance, personal=True) == {
        "interpreter", "legal_position", "situation", "languages", "preferred_language", "domains"}
    assert names_where(intake.Reassignment, personal=True) == {"interpreter"}
    assert names_where(intake.Decline, personal=True) == {"reason", "note"}
    for name in ("languages", "preferred_language", "interpreter_needed"):
        kinds = [properties(fact._declared_fields[name]) for fact in (intake.Registration, intake.Languages)]
        assert kinds[0] == kinds[1] == {"published": True, "personal": True, "category": "languages",
                                        "retention": "case_file", "since": 1, "given": True}, name


def test_consents_and_the_directory_say_nothing_about_a_client():
    """A consent names organisations, purposes and categories, which every follower
    reads to respect it; the directory is about staff, kept while they work here."""
    for fact in (intake.ConsentGiven, intake.ConsentGivenInV1Terms, intake.ConsentWithdrawn, intake.Waitlisting,
                 intake.Transfer):
        assert not personal_fields(fact) and not fields_in(fact, CATEGORIES), fact.__name__
    for fact in (intake_directory.AgencyRegistration, intake_directory.StaffMember,
                 intake_directory.StaffMemberActivity):
        assert not personal_fields(fact) and not fields_in(fact, CATEGORIES), fact.__name__
        assert names_where(fact, retention="directory") == set(fact._declared_fields), fact.__name__
    assert names_where(intake_directory.StaffMember, published=False) == {"display_name", "added_by"}


def test_who_acted_on_an_intake_fact_is_staff_data_never_in_the_data():
    for fact in set(INTAKE_FACTS.values()):
        (by,) = [name for name in fact._declared_fields if name.endswith("_by")]
        assert properties(fact._declared_fields[by]) == {
            "published": False, "personal": False, "category": None, "retention": "directory", "since": 1,
            "given": False}, fact.__name__


def test_every_field_an_intake_event_publishes_says_its_properties():
    for name, schema in CATALOGUE.items():
        if name.startswith("be.jww.intake."):
            undeclared = [field for field, f in schema._declared_fields.items() if "category" not in f.metadata]
            assert not undeclared, f"{name}: {undeclared}"


@pytest.mark.parametrize("command, fact, names", [
    (intake.RegisterClient, intake.Registration, {"actor"}),
    (intake.RecordLanguages, intake.Languages, {"actor", "client_id", "expected_version"}),
    (intake.ReceiveHelpRequest, intake.HelpRequest, {"actor", "client_id"}),
    (intake.AcceptIntake, intake.Acceptance, {"actor", "client_id"}),
    (intake.DeclineIntake, intake.Decline, {"actor", "client_id"}),
    (intake.WaitlistIntake, intake.Waitlisting, {"actor", "client_id"}),
    (intake.ReassignClient, intake.Reassignment, {"actor", "client_id"}),
    # The receiving agency is the fact's agency; the interpreter is checked, not recorded.
    (intake.TransferClient, intake.Transfer, {"actor", "client_id", "to_agency", "interpreter"}),
    # The caller names the categories ``scope`` (version 1's word, still accepted).
    (intake.GiveConsent, intake.ConsentGiven, {"actor", "client_id", "scope"}),
    (intake.WithdrawConsent, intake.ConsentWithdrawn, {"actor", "client_id"}),
    (intake_directory.RegisterAgency, intake_directory.AgencyRegistration, {"actor"}),
    (intake_directory.AddStaffMember, intake_directory.StaffMember, {"actor"}),
    (intake_directory.ChangeStaffMember, intake_directory.StaffMemberActivity, {"actor"}),
], ids=lambda c: getattr(c, "__name__", ""))
def test_each_intake_command_is_what_the_caller_gives_of_its_fact(command, fact, names):
    assert set(command._declared_fields) == names_where(fact, given=True) | names


def test_intake_published_versions_and_answers_come_from_their_declarations():
    for fact, version in (
        (intake.Registration, intake.ClientRegisteredV1), (intake.Languages, intake.ClientLanguagesRecordedV1),
        (intake.HelpRequest, intake.HelpRequestReceivedV1), (intake.Acceptance, intake.IntakeAcceptedV1),
        (intake.Decline, intake.IntakeDeclinedV1), (intake.Waitlisting, intake.IntakeWaitlistedV1),
        (intake.Reassignment, intake.ClientReassignedV1), (intake.Transfer, intake.ClientTransferredV1),
        (intake.ConsentGiven, intake.ConsentGivenV2), (intake.ConsentGivenInV1Terms, intake.ConsentGivenV1),
        (intake.ConsentWithdrawn, intake.ConsentWithdrawnV1),
        (intake.ErasureRequest, intake.ErasureRequestedV1), (intake.ErasureRefusal, intake.ErasureRefusedV1),
        (intake_directory.StaffMember, intake_directory.StaffMemberAddedV1),
        (intake_directory.StaffMemberActivity, intake_directory.StaffMemberActiveChangedV1),
    ):
        assert set(version._declared_fields) == names_where(fact, published=True), fact.__name__
    assert set(intake_answers.HelpRequest._declared_fields) == set(intake.HelpRequest._declared_fields) - {
        "client_id", "agency"}
    assert set(intake_answers.ConsentOnFile._declared_fields) == names_where(intake.ConsentGiven, given=True) | {
        "categories", "active", "since"}
    staff = intake_directory.StaffMember
    assert set(intake_answers.StaffMember._declared_fields) == set(staff._declared_fields) - {
        "agency", "added_by"} | {"active"}
    agency = intake_directory.AgencyRegistration
    assert set(intake_answers.Agency._declared_fields) == names_where(agency, given=True) | {"staff"}
