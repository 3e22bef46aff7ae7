"""Referrals' facts, declared once (shared/contracts/declare.py): what each event
carries, what is personal and published, and what commands and answers derive from."""
import pytest

from services.referrals.domain import CaseConference, ClientOnRecord, CoordinationPlan, Partner, Referral
from shared.contracts import CATALOGUE, referrals, referrals_answers
from shared.contracts.declare import properties
from tests.support.declarations import event_fields, declared_names, names_where


REFERRAL_FACTS = {
    ClientOnRecord.Recorded: referrals.RegisteredClient, ClientOnRecord.ConsentNoted: referrals.NotedConsent,
    ClientOnRecord.TransferConsentNoted: referrals.NotedTransferConsent,
    ClientOnRecord.TransferNoted: referrals.NotedTransfer,
    Referral.Proposed: referrals.ReferralProposal, Referral.StepRecorded: referrals.ReferralStep,
    Referral.Stalled: referrals.ReferralStall, Referral.ConsentWithdrawnFlagged: referrals.ReferralConsentWithdrawal,
    CoordinationPlan.ActorAdded: referrals.CoordinationActor,
    CoordinationPlan.ActorRemoved: referrals.CoordinationActorRemoval,
    CoordinationPlan.AgencyJoined: referrals.CoordinatingAgency,
    CoordinationPlan.AgencyLeft: referrals.CoordinatingAgencyLeaving,
    CaseConference.Held: referrals.CaseConference, CaseConference.ActionDone: referrals.ConferenceActionDone,
    CaseConference.ActionFallingDue: referrals.ConferenceActionFallingDue,
    Referral.NoteAdded: referrals.ReferralNote, Partner.Registered: referrals.PartnerRegistration,
    Partner.Changed: referrals.PartnerChange, Partner.Deactivated: referrals.PartnerDeactivation,
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
    # That someone in a role helps is published (audit's timeline); who, and doing what, stays.
    assert names_where(actor, published=True) == {"client_id", "actor_id", "role"}
    assert set(referrals.CoordinationActorAddedV1._declared_fields) == {"client_id", "actor_id", "role"}
    for private in (referrals.CoordinationActorRemoval, referrals.ConferenceActionDone):
        assert names_where(private, published=True) == set(), private.__name__
    assert names_where(conference, personal=True) == {"participants", "decisions", "actions"}
    assert names_where(conference, personal=True) <= names_where(conference, published=False)
    assert names_where(conference, retention="case_notes") == {"decisions", "actions"}
    # The published due dates are a field of their own, so they outlive the notes they came with.
    assert properties(conference._declared_fields["actions_due"]) | {"given": False} == {
        "published": True, "personal": False, "category": "referrals", "retention": "case_file", "since": 1,
        "given": False}


def test_a_notes_words_stay_here_and_the_directory_is_no_clients_data():
    assert names_where(referrals.ReferralNote, personal=True) == {"partner", "note"}
    assert names_where(referrals.ReferralNote, retention="case_notes") == {"note"} <= names_where(
        referrals.ReferralNote, published=False)
    for fact in (referrals.PartnerRegistration, referrals.PartnerChange, referrals.PartnerDeactivation):
        assert names_where(fact, personal=True) == set(), fact.__name__
        assert names_where(fact, retention="directory") == set(fact._declared_fields), fact.__name__
    published = {"code", "name", "kind", "agency", "domains", "languages", "channel", "typical_wait_days"}
    assert set(referrals.PartnerRegisteredV1._declared_fields) == published
    assert set(referrals.PartnerChangedV1._declared_fields) == published
    assert set(referrals.PartnerDeactivatedV1._declared_fields) == {"code"}


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
                 referrals.ReferralConsentWithdrawal, referrals.CaseConference, referrals.CoordinationActor):
        (version,) = [s for s in CATALOGUE.values() if s.__name__ == f"{fact.__name__}V1"]
        assert set(version._declared_fields) == names_where(fact, published=True) | computed.get(version, set())
    # The directory code's shape binds the caller only: version 1 never promised it.
    assert [rule.rule for rule in referrals.ProposeReferral._declared_fields["partner"].validators] == [referrals.CODE]
    assert not referrals.ReferralProposedV1._declared_fields["partner"].validators
    staff = {"by", "by_role"}
    assert set(referrals_answers.CoordinationActor._declared_fields) == set(
        referrals.CoordinationActor._declared_fields) - staff - {"client_id"}  # the plan's answer names it
    assert set(referrals_answers.ReferralHistoryEntry._declared_fields) >= names_where(
        referrals.ReferralProposal, given=True) | {"referral_id"}
    assert set(referrals_answers.CaseConference._declared_fields) == set(
        referrals.CaseConference._declared_fields) - staff - {"client_id", "agency", "actions_due"}


def test_which_agency_joined_a_plan_is_published_and_what_it_does_stays_here():
    joined, left = referrals.CoordinatingAgency, referrals.CoordinatingAgencyLeaving
    assert names_where(joined, personal=True) == {"does"} <= names_where(joined, published=False)
    assert names_where(joined, retention="case_notes") == {"does"}
    assert set(referrals.CoordinatingAgencyJoinedV1._declared_fields) == {"client_id", "agency"}
    assert set(referrals.CoordinatingAgencyLeftV1._declared_fields) == {"client_id", "agency", "why"}
    assert names_where(left, personal=True) == set()
    # Both reach the feed of an organisation consented the referrals category.
    for fact in (referrals.CoordinatingAgencyJoinedV1, referrals.CoordinatingAgencyLeftV1):
        assert properties(fact._declared_fields["agency"])["category"] == "referrals"
