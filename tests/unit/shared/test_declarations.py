"""Each fact is declared once (shared/contracts/declare.py): the domain events carry
what their declarations name, and what is derived from a declaration agrees with it."""
import dataclasses

import pytest
from marshmallow import fields

from services.guidance.domain import Intervention
from services.guidance.integration import PUBLICATIONS as GUIDANCE
from services.intake.integration import PUBLICATIONS as INTAKE
from services.notifications.integration import PUBLICATIONS as NOTIFICATIONS
from services.referrals.integration import PUBLICATIONS as REFERRALS
from shared.contracts import CATALOGUE, guidance, guidance_answers
from shared.contracts.declare import (
    CATEGORIES, RETENTION_CLASSES, Fact, answer_fields, declared, fields_in, personal_fields, properties,
    published_version,
)
from shared.contracts.base import EventSchema

PUBLICATIONS = {**INTAKE, **GUIDANCE, **REFERRALS, **NOTIFICATIONS}
ENVELOPE_ONLY = {"originator_id", "originator_version", "timestamp", "correlation_id", "chain", "originator_topic"}


def event_fields(event_class) -> set[str]:
    return {f.name for f in dataclasses.fields(event_class)} - ENVELOPE_ONLY


@pytest.mark.parametrize("event_class", list(PUBLICATIONS), ids=lambda c: c.__qualname__)
def test_every_published_domain_event_carries_what_its_declaration_names(event_class):
    publish = PUBLICATIONS[event_class]
    missing = set(publish.reads) - event_fields(event_class)
    assert not missing, f"{event_class.__qualname__} lacks {sorted(missing)} declared by {publish.schema.__name__}"
    about = {"client_id", "agency"} if publish.about_client else {"agency"}
    assert about <= event_fields(event_class)


def test_every_published_type_is_the_translation_of_a_domain_event():
    translated = {(p.schema.service, p.schema.fact, p.schema.version) for p in PUBLICATIONS.values()}
    catalogued = {(s.service, s.fact, s.version) for s in CATALOGUE.values() if s.fact != "client-file-read"}
    assert catalogued == translated


def test_an_intervention_event_is_its_declaration():
    declared_names = set(guidance.Intervention._declared_fields) - {guidance.Intervention.identity}
    assert event_fields(Intervention.Recorded) == declared_names


def test_command_published_version_and_answer_all_come_from_the_intervention_declaration():
    fact = set(guidance.Intervention._declared_fields)
    given = {n for n, f in guidance.Intervention._declared_fields.items() if properties(f)["given"]}
    assert set(guidance.RecordIntervention._declared_fields) == given | {"actor", "client_id"}
    published = {n for n, f in guidance.Intervention._declared_fields.items() if properties(f)["published"]}
    assert set(CATALOGUE["be.jww.guidance.intervention-recorded.v1"]._declared_fields) == published
    assert "note" not in published and "next_steps" not in published
    assert set(guidance_answers.Intervention._declared_fields) == fact - {"client_id", "trajectory_id", "agency"}


def test_personal_fields_and_categories_are_read_from_the_declaration():
    assert {"note", "next_steps", "domains"} <= set(personal_fields(guidance.Intervention))
    assert "worker" not in personal_fields(guidance.Intervention)
    assert set(fields_in(guidance.Intervention, ["languages"])) == {"interpreter"}
    for schema in CATALOGUE.values():
        for name, field in schema._declared_fields.items():
            props = properties(field)
            assert props["category"] in CATEGORIES + (None,), name
            assert props["retention"] in RETENTION_CLASSES, name


def test_a_declaration_refuses_unknown_properties():
    with pytest.raises(ValueError):
        declared(fields.String(), category="gossip")
    with pytest.raises(ValueError):
        declared(fields.String(), category="identity", retention="forever")
    with pytest.raises(ValueError):
        declared(fields.String(), category=None, personal=True)


class Visit(Fact):
    identity = "visit_id"
    visit_id = declared(fields.UUID(required=True), category=None, given=False)
    minutes = declared(fields.Integer(required=True), category="interventions")
    mood = declared(fields.String(load_default=""), category="interventions", personal=True, published=False)
    room = declared(fields.String(required=True), category="interventions", since=2)


def test_a_new_field_reaches_only_the_versions_since_it_was_added():
    v1, v2 = published_version(Visit, 1, EventSchema), published_version(Visit, 2, EventSchema)
    assert set(v1._declared_fields) == {"visit_id", "minutes"}
    assert set(v2._declared_fields) == {"visit_id", "minutes", "room"}
    assert all(f.required for f in v2._declared_fields.values())


def test_an_answer_shows_the_record_id_and_may_withhold_a_field():
    shown = answer_fields(Visit, withheld=["mood"])
    assert shown["visit_id"].attribute == "id" and shown["mood"].allow_none


# -- notifications, audit and the shared file-read event ---------------------------------

from services.audit.domain import Timeline  # noqa: E402
from services.notifications.domain import Notification  # noqa: E402
from shared import access_log  # noqa: E402
from shared.contracts import audit, audit_answers, notifications, notifications_answers  # noqa: E402
from shared.contracts.base import ActorSchema, FileRead, FileReadData  # noqa: E402


def declared_names(fact, but=()) -> set[str]:
    return set(fact._declared_fields) - {fact.identity} - set(but)


def names_where(fact, **wanted) -> set[str]:
    return {n for n, f in fact._declared_fields.items() if all(properties(f)[k] == v for k, v in wanted.items())}


@pytest.mark.parametrize("event_class, fact", [
    (Notification.Created, notifications.Notification),
    (Notification.Delivered, notifications.Delivery),
    (Notification.DeadLettered, notifications.DeadLetter),
    (Notification.Read, notifications.Reading),
    (access_log.FileRead.Recorded, FileRead),
], ids=lambda c: getattr(c, "__qualname__", ""))
def test_each_notification_and_file_read_event_carries_exactly_its_declaration(event_class, fact):
    assert event_fields(event_class) == declared_names(fact)


def test_audit_s_own_read_is_a_file_read_and_the_instant_its_clock_gave():
    assert event_fields(Timeline.FileRead) == declared_names(FileRead) | {"at"}


def test_a_notification_publishes_who_was_told_which_kind_of_thing_never_the_message():
    fact = notifications.Notification
    assert names_where(fact, personal=True) == {"kind", "subject", "body"}
    assert names_where(fact, published=False) == {"agency", "address", "subject", "body"}
    assert {"subject", "body"} <= names_where(fact, retention="case_notes")
    assert names_where(fact, retention="directory") == {"address"}  # a staff member's, not the client's
    assert not names_where(fact, given=True)  # the service writes it from another service's fact
    for declared_fact, published in ((fact, notifications.NotificationIssuedV1),
                                     (notifications.Delivery, notifications.NotificationDeliveredV1),
                                     (notifications.DeadLetter, notifications.NotificationDeadLetteredV1)):
        assert set(published._declared_fields) == names_where(declared_fact, published=True)


def test_whom_when_why_and_in_which_language_a_notification_went_is_not_the_client_s_data():
    for name in ("recipient", "language", "address", "due", "caused_by"):
        props = properties(notifications.Notification._declared_fields[name])
        assert (props["personal"], props["category"]) == (False, None), name


def test_notifications_commands_and_answers_come_from_their_declarations():
    assert set(notifications.MarkRead._declared_fields) == names_where(notifications.Reading, given=True) | {"actor"}
    inbox = set(notifications_answers.InboxEntry._declared_fields)
    assert inbox - {"at", "read"} <= set(notifications.Notification._declared_fields)
    assert not inbox & {"client_id", "address", "caused_by"}
    dead = set(notifications_answers.DeadLetter._declared_fields)
    assert dead - {"attempts", "status"} == set(notifications.Notice._declared_fields) - {"client_id", "agency"}


def test_a_file_read_publishes_whose_file_why_and_how_and_the_envelope_who():
    assert set(FileReadData._declared_fields) == {"client_id", "purpose", "query"}
    assert names_where(FileRead, published=False) == {"reader", "role", "agency"}
    assert personal_fields(FileRead) == ["purpose"]  # free text the reader wrote
    assert names_where(FileRead, retention="access_log") == set(FileRead._declared_fields)
    for service in ("intake", "guidance", "referrals"):
        assert issubclass(CATALOGUE[f"be.jww.{service}.client-file-read.v1"], FileReadData)
        publish = access_log.publication(service)[access_log.FileRead.Recorded]
        assert set(publish.reads) <= event_fields(access_log.FileRead.Recorded)


def test_audit_queries_and_its_access_log_come_from_the_file_read_declaration():
    assert set(audit.AuditQuery._declared_fields) == names_where(FileRead, given=True) | {"actor"}
    assert audit.AuditQuery._declared_fields["purpose"].required  # an auditor always says why
    shown = set(audit_answers.AccessLogEntry._declared_fields)
    assert shown == set(FileRead._declared_fields) - {"client_id"} | {"service", "at"}
    in_file = set(audit_answers.NotificationInFile._declared_fields) - {"status"}
    assert in_file <= set(notifications.NotificationIssuedV1._declared_fields)


def test_an_actor_is_a_staff_member_kept_with_the_directory():
    for name, field in ActorSchema._declared_fields.items():
        assert properties(field) | {"name": name} == {
            "name": name, "published": True, "personal": False, "category": None, "retention": "directory",
            "since": 1, "given": True}


# -- referrals ----------------------------------------------------------------------------

from services.referrals.domain import CaseConference, CoordinationPlan, Referral  # noqa: E402
from shared.contracts import referrals, referrals_answers  # noqa: E402

REFERRAL_FACTS = {
    Referral.Proposed: referrals.ReferralProposal, Referral.StepRecorded: referrals.ReferralStep,
    Referral.Stalled: referrals.ReferralStall, Referral.ConsentWithdrawnFlagged: referrals.ReferralConsentWithdrawal,
    CoordinationPlan.ActorAdded: referrals.CoordinationActor,
    CoordinationPlan.ActorRemoved: referrals.CoordinationActorRemoval,
    CaseConference.Held: referrals.CaseConference, CaseConference.ActionDone: referrals.ConferenceActionDone,
}


@pytest.mark.parametrize("event_class", list(REFERRAL_FACTS), ids=lambda c: c.__qualname__)
def test_each_referrals_event_carries_exactly_its_declaration(event_class):
    assert event_fields(event_class) == declared_names(REFERRAL_FACTS[event_class])


def test_every_field_a_referrals_event_publishes_says_its_properties():
    for name, schema in CATALOGUE.items():
        if name.startswith("be.jww.referrals."):
            undeclared = [field for field, f in schema._declared_fields.items() if "category" not in f.metadata]
            assert not undeclared, f"{name}: {undeclared}"


def test_where_a_person_is_referred_and_why_is_personal_and_the_words_stay_here():
    proposal = referrals.ReferralProposal
    assert names_where(proposal, personal=True) == {"partner", "domains", "reason", "origin"}
    assert names_where(referrals.ReferralStep, personal=True) == {"partner", "reason", "outcome"}
    published = referrals.ReferralProposedV1._declared_fields
    assert {n for n, f in published.items() if properties(f)["personal"]} == {
        "partner", "domains", "from_psychologist_recommendation"}
    for fact in (proposal, referrals.ReferralStep):
        assert names_where(fact, retention="case_notes") == {"reason"} <= names_where(fact, published=False)


def test_the_people_around_the_person_and_what_was_said_about_them_never_leave_referrals():
    actor, conference = referrals.CoordinationActor, referrals.CaseConference
    assert names_where(actor, personal=True) == {"role", "organisation", "contact", "does"}
    for private in (actor, referrals.CoordinationActorRemoval, referrals.ConferenceActionDone):
        assert names_where(private, published=True) == set(), private.__name__
    assert names_where(conference, personal=True) == {"participants", "decisions", "actions"}
    assert names_where(conference, personal=True) <= names_where(conference, published=False)
    assert names_where(conference, retention="case_notes") == {"decisions", "actions"}
    # The published due dates are a field of their own, so they outlive the notes they came with.
    assert properties(conference._declared_fields["actions_due"]) | {"given": False} == {
        "published": True, "personal": False, "category": "referrals", "retention": "case_file", "since": 1,
        "given": False}


def test_who_recorded_a_referrals_fact_is_staff_data_kept_with_the_directory_and_never_in_the_data():
    for fact in set(REFERRAL_FACTS.values()):
        for name in {"by", "by_role"} & set(fact._declared_fields):
            assert properties(fact._declared_fields[name]) == {
                "published": False, "personal": False, "category": None, "retention": "directory", "since": 1,
                "given": False}, (fact.__name__, name)


@pytest.mark.parametrize("command, fact, names", [
    (referrals.ProposeReferral, referrals.ReferralProposal, {"actor", "client_id"}),
    (referrals.RecordReferralStep, referrals.ReferralStep, {"actor", "referral_id"}),
    (referrals.AddCoordinationActor, referrals.CoordinationActor, {"actor", "client_id"}),
    (referrals.RemoveCoordinationActor, referrals.CoordinationActorRemoval, {"actor", "client_id"}),
    (referrals.HoldCaseConference, referrals.CaseConference, {"actor", "client_id"}),
    (referrals.CompleteConferenceAction, referrals.ConferenceActionDone, {"actor", "conference_id"}),
], ids=lambda c: getattr(c, "__name__", ""))
def test_each_referrals_command_is_what_the_caller_gives_of_its_fact(command, fact, names):
    assert set(command._declared_fields) == names_where(fact, given=True) | names


def test_referrals_published_versions_and_answers_come_from_their_declarations():
    computed = {referrals.ReferralProposedV1: {"from_psychologist_recommendation"},
                referrals.ReferralStepRecordedV1: {"answered"}}
    for fact in (referrals.ReferralProposal, referrals.ReferralStep, referrals.ReferralStall,
                 referrals.ReferralConsentWithdrawal, referrals.CaseConference):
        (version,) = [s for s in CATALOGUE.values() if s.__name__ == f"{fact.__name__}V1"]
        assert set(version._declared_fields) == names_where(fact, published=True) | computed.get(version, set())
    # The directory code's shape binds the caller only: version 1 never promised it.
    assert referrals.ProposeReferral._declared_fields["partner"].validators == [referrals.CODE]
    assert not referrals.ReferralProposedV1._declared_fields["partner"].validators
    staff = {"by", "by_role"}
    assert set(referrals_answers.CoordinationActor._declared_fields) == set(
        referrals.CoordinationActor._declared_fields) - staff
    assert set(referrals_answers.ReferralHistoryEntry._declared_fields) >= names_where(
        referrals.ReferralProposal, given=True) | {"referral_id"}
    assert set(referrals_answers.CaseConference._declared_fields) == set(
        referrals.CaseConference._declared_fields) - staff - {"client_id", "agency", "actions_due"}


# -- intake ---------------------------------------------------------------------------------

from services.intake.domain import Agency as IntakeAgency, Client, Consent  # noqa: E402
from shared.contracts import intake, intake_answers, intake_directory  # noqa: E402

INTAKE_FACTS = {
    Client.Registered: intake.Registration, Client.LanguagesRecorded: intake.Languages,
    Client.HelpRequestReceived: intake.HelpRequest, Client.IntakeAccepted: intake.Acceptance,
    Client.IntakeDeclined: intake.Decline, Client.IntakeWaitlisted: intake.Waitlisting,
    Client.Reassigned: intake.Reassignment, Client.Transferred: intake.Transfer,
    Consent.Given: intake.ConsentGiven, Consent.GivenAgain: intake.ConsentGiven, Consent.Withdrawn: intake.ConsentWithdrawn,
    IntakeAgency.Registered: intake_directory.AgencyRegistration,
    IntakeAgency.StaffMemberAdded: intake_directory.StaffMember,
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
    for fact in (intake.ConsentGiven, intake.ConsentWithdrawn, intake.Waitlisting, intake.Transfer):
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
    (intake.GiveConsent, intake.ConsentGiven, {"actor", "client_id"}),
    (intake.WithdrawConsent, intake.ConsentWithdrawn, {"actor", "client_id"}),
    (intake.RegisterAgency, intake_directory.AgencyRegistration, {"actor"}),
    (intake.AddStaffMember, intake_directory.StaffMember, {"actor"}),
    (intake.ChangeStaffMember, intake_directory.StaffMemberActivity, {"actor"}),
], ids=lambda c: getattr(c, "__name__", ""))
def test_each_intake_command_is_what_the_caller_gives_of_its_fact(command, fact, names):
    assert set(command._declared_fields) == names_where(fact, given=True) | names


def test_intake_published_versions_and_answers_come_from_their_declarations():
    for fact, version in (
        (intake.Registration, intake.ClientRegisteredV1), (intake.Languages, intake.ClientLanguagesRecordedV1),
        (intake.HelpRequest, intake.HelpRequestReceivedV1), (intake.Acceptance, intake.IntakeAcceptedV1),
        (intake.Decline, intake.IntakeDeclinedV1), (intake.Waitlisting, intake.IntakeWaitlistedV1),
        (intake.Reassignment, intake.ClientReassignedV1), (intake.Transfer, intake.ClientTransferredV1),
        (intake.ConsentGiven, intake.ConsentGivenV1), (intake.ConsentWithdrawn, intake.ConsentWithdrawnV1),
        (intake_directory.StaffMember, intake.StaffMemberAddedV1),
        (intake_directory.StaffMemberActivity, intake.StaffMemberActiveChangedV1),
    ):
        assert set(version._declared_fields) == names_where(fact, published=True), fact.__name__
    assert set(intake_answers.HelpRequest._declared_fields) == set(intake.HelpRequest._declared_fields) - {
        "client_id", "agency"}
    assert set(intake_answers.ConsentOnFile._declared_fields) == names_where(intake.ConsentGiven, given=True) | {
        "active", "since"}
    staff = intake_directory.StaffMember
    assert set(intake_answers.StaffMember._declared_fields) == set(staff._declared_fields) - {
        "agency", "added_by"} | {"active"}
    agency = intake_directory.AgencyRegistration
    assert set(intake_answers.Agency._declared_fields) == names_where(agency, given=True) | {"staff"}
