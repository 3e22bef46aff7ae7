"""The file at an instant, item by item, and what changed in it, folded from
published facts alone (services/audit/replay.py)."""
import datetime as dt
import uuid

from services.audit.replay import ITEMS, RECORDS, between, changes, file_at
from shared.contracts import audit_answers
from shared.contracts.audit_answers import AuditFile

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
CLIENT = "5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21"
TRAJECTORY = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
LATER = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
REFERRAL = "0d6f3b1e-8a3c-4a57-9d1a-6f2e4b9c7a10"
NOTE = "8e2a6c4d-1b3f-4e5a-9c7d-2f1e0a3b5c6d"
INTERVENTION = "3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d"


def fact(source, name, minute, actor="apo-sa-1", erased=(), **data):
    """A timeline entry as audit keeps it, ``minute`` minutes after T0; a field named
    in ``erased`` reads as None."""
    return {"event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{minute}")), "source": source,
            "type": f"be.jww.{source}.{name}.v1", "time": T0 + dt.timedelta(minutes=minute), "actor": actor,
            "data": {"client_id": CLIENT, **data, **dict.fromkeys(erased)}, "erased": list(erased)}


def at(minutes: int) -> str:
    return (T0 + dt.timedelta(minutes=minutes)).isoformat()


ABOUT_IT = {"trajectory_id": TRAJECTORY, "agency": "apo"}
FACTS = [
    fact("intake", "client-registered", 0, agency="apo", languages=["fr"], preferred_language="fr",
         interpreter_needed=False, legal_position="convicted"),
    fact("intake", "consent-given", 1, consent_id=NOTE, recipient="transit", purpose="referral", scope=["identity"]),
    fact("intake", "intake-accepted", 2, actor="apo-coord", agency="apo", worker="apo-sa-1", interpreter=None,
         legal_position="convicted", situation="probation", languages=["fr"], preferred_language="fr",
         domains=["housing"]),
    fact("guidance", "trajectory-opened", 3, actor=None, worker="apo-sa-1", **ABOUT_IT),
    fact("notifications", "notification-issued", 3, actor=None, notification_id=NOTE, kind="new_assignment",
         recipient="apo-sa-1", channel="email", caused_by="x", language="fr", due=at(3)),
    fact("guidance", "intervention-recorded", 4, intervention_id=INTERVENTION, at=at(4), minutes=30,
         place="office", method="listening_support", sub_kind="listening_ear", domains=["housing"], interpreter=None,
         worker="apo-sa-1", worker_profile="social_assistant", **ABOUT_IT),
    fact("guidance", "condition-recorded", 5, condition_id="c1", kind="prohibition", starts="2026-11-30",
         ends="2027-01-14", authority="court", **ABOUT_IT),
    fact("referrals", "referral-proposed", 6, referral_id=REFERRAL, agency="apo", partner="transit",
         domains=["housing"], from_psychologist_recommendation=False),
    fact("referrals", "referral-step-recorded", 7, referral_id=REFERRAL, agency="apo", partner="transit", step="sent",
         outcome=None, answered=False),
    fact("guidance", "condition-supported", 8, condition_id="c1", on="2026-12-01", **ABOUT_IT),
    fact("referrals", "referral-step-recorded", 9, referral_id=REFERRAL, agency="apo", partner="transit",
         step="accepted", outcome=None, answered=True),
    fact("notifications", "notification-delivered", 10, actor=None, notification_id=NOTE, kind="new_assignment",
         recipient="apo-sa-1", channel="email", at=at(10)),
    fact("intake", "consent-withdrawn", 11, consent_id=NOTE, recipient="transit", purpose="referral"),
]


def test_the_file_is_what_the_facts_made_it_item_by_item():
    file = file_at(FACTS)
    intake, trajectory = file["intake"], file["trajectory"]
    assert (intake["status"], intake["worker"], intake["languages"], intake["situation"]) == (
        "accepted", "apo-sa-1", ["fr"], "probation")
    assert (trajectory["status"], trajectory["trajectory_id"], trajectory["opened"]) == ("open", TRAJECTORY, at(3))
    (intervention,) = trajectory["interventions"]
    assert intervention == {
        "trajectory_id": TRAJECTORY, "agency": "apo", "intervention_id": INTERVENTION, "at": at(4), "minutes": 30,
        "place": "office", "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"],
        "interpreter": None, "worker": "apo-sa-1", "worker_profile": "social_assistant", "recorded": at(4),
        "by": "apo-sa-1", "erased": [], "corrections": [], "retracted": None}
    (condition,) = trajectory["conditions"]
    assert (condition["starts"], condition["ends"], condition["authority"]) == ("2026-11-30", "2027-01-14", "court")
    assert condition["supports"] == [{"on": "2026-12-01", "recorded": at(8), "by": "apo-sa-1", "erased": []}]
    (referral,) = file["referrals"]
    assert (referral["partner"], referral["state"], referral["outcome"]) == ("transit", "accepted", None)
    assert [(s["step"], s["answered"], s["recorded"]) for s in referral["steps"]] == [
        ("sent", False, at(7)), ("accepted", True, at(9))]
    (told,) = file["notifications"]
    assert (told["status"], told["delivered"], told["by"]) == ("delivered", at(10), None)
    (consent,) = intake["consents"]
    # Given in version 1 only (before v2 existed): its scope read as the categories it covered.
    assert (consent["in_force"], consent["categories"], consent["share_history"]) == (
        False, ["identity", "languages"], False)
    assert consent["periods"] == [{"given": at(1), "given_by": "apo-sa-1", "categories": ["identity", "languages"],
                                   "share_history": False, "withdrawn": at(11), "withdrawn_by": "apo-sa-1"}]
    assert [d["decision"] for d in intake["decisions"]] == ["accepted"]
    assert AuditFile().validate(file) == {}


def test_the_file_at_an_earlier_instant_holds_each_item_as_it_stood_then():
    file = file_at(FACTS[:8])  # up to the referral's proposal
    assert file["trajectory"]["conditions"][0]["supports"] == []
    assert (file["referrals"][0]["state"], file["referrals"][0]["steps"]) == ("proposed", [])
    assert file["notifications"][0]["status"] == "issued" and file["intake"]["consents"][0]["in_force"] is True
    assert file_at(FACTS[:4])["trajectory"]["interventions"] == []


def test_an_erased_client_s_items_hold_null_codes_and_say_which_were_erased():
    erased = [
        fact("intake", "client-registered", 0, agency="apo", interpreter_needed=None,
             erased=("languages", "preferred_language", "interpreter_needed", "legal_position")),
        fact("intake", "intake-declined", 1, actor="apo-coord", agency="apo", erased=("reason",)),
        fact("guidance", "appointment-planned", 2, appointment_id="a1", worker="apo-sa-1", accompanied_by=None,
             erased=("at", "with_actor", "interpreter", "during_leave_permit"), **ABOUT_IT),
        fact("guidance", "appointment-outcome-recorded", 3, appointment_id="a1", erased=("outcome",), **ABOUT_IT),
        fact("referrals", "referral-proposed", 4, referral_id=REFERRAL, agency="apo",
             erased=("partner", "domains", "from_psychologist_recommendation")),
        fact("referrals", "referral-step-recorded", 5, referral_id=REFERRAL, agency="apo", step="completed",
             answered=False, erased=("partner", "outcome")),
    ]
    file = file_at(erased)
    assert file["intake"]["languages"] is None and file["intake"]["legal_position"] is None
    assert file["intake"]["erased"] == ["interpreter_needed", "languages", "legal_position", "preferred_language"]
    (declined,) = file["intake"]["decisions"]
    assert (declined["decision"], declined["reason"], declined["erased"]) == ("declined", None, ["reason"])
    (appointment,) = file["trajectory"]["appointments"]
    assert (appointment["with_actor"], appointment["outcome"], appointment["outcome_by"]) == (None, None, "apo-sa-1")
    assert appointment["erased"] == ["at", "with_actor", "interpreter", "during_leave_permit", "outcome"]
    (referral,) = file["referrals"]
    assert (referral["partner"], referral["state"], referral["outcome"]) == (None, "completed", None)
    assert referral["erased"] == ["from_psychologist_recommendation", "partner", "domains", "outcome"]
    assert referral["steps"][0]["erased"] == ["outcome"]  # the step's own fields (the partner is the referral's)
    assert AuditFile().validate(file) == {}


def test_a_fact_about_an_item_the_file_does_not_hold_changes_nothing_and_an_erased_fact_is_named():
    (step,) = [f for f in FACTS if f["type"].endswith("referral-step-recorded.v1")][:1]
    stand_in = fact("guidance", "fact-erased", 1, actor=None, erased_type="be.jww.guidance.condition-recorded.v1")
    supported = [f for f in FACTS if f["type"].endswith("condition-supported.v1")]
    file = file_at([step, stand_in, *supported])
    assert file["referrals"] == [] and file["trajectory"]["conditions"] == []
    assert file["facts_erased"] == [{"type": "be.jww.guidance.condition-recorded.v1",
                                     "event_id": stand_in["event_id"], "service": "guidance", "recorded": at(1),
                                     "by": None, "erased": []}]


def test_a_transfer_closes_one_trajectory_and_the_file_shows_the_one_opened_after():
    transfer = [
        *FACTS[:4],
        fact("intake", "client-transferred", 20, actor="apo-coord", from_agency="apo", agency="sab", worker="sab-sa-1"),
        fact("guidance", "trajectory-closed", 20, actor=None, reason="transferred", **ABOUT_IT),
        fact("guidance", "trajectory-opened", 21, actor=None, trajectory_id=LATER, agency="sab", worker="sab-sa-1"),
        fact("guidance", "trajectory-reopened", 22, actor="apo-coord", **ABOUT_IT),
    ]
    file = file_at(transfer)
    assert (file["intake"]["status"], file["intake"]["agency"], file["intake"]["worker"]) == (
        "accepted", "sab", "sab-sa-1")
    assert file["intake"]["decisions"][-1]["from_agency"] == "apo"
    trajectory = file["trajectory"]
    assert (trajectory["trajectory_id"], trajectory["agency"], trajectory["status"]) == (LATER, "sab", "open")
    (closing,) = trajectory["closings"]
    assert (closing["trajectory_id"], closing["reason"], closing["reopened"]) == (TRAJECTORY, "transferred", at(22))


def test_changes_list_each_item_added_changed_and_removed_with_the_fields_that_differ():
    before, after = file_at(FACTS[:7]), file_at(FACTS)
    found = changes(before, after)
    assert [(c["item"], c["id"], c["change"]) for c in found] == [
        ("intake.consents", NOTE, "changed"),
        ("trajectory.conditions", "c1", "changed"),
        ("referrals", REFERRAL, "added"),
        ("notifications", NOTE, "changed"),
    ]
    consent, condition, referral, told = found
    assert set(consent["fields"]) == {"in_force", "periods"}
    assert consent["fields"]["in_force"] == {"before": True, "after": False}
    assert condition["fields"] == {"supports": {"before": [], "after": [
        {"on": "2026-12-01", "recorded": at(8), "by": "apo-sa-1", "erased": []}]}}
    assert referral["fields"]["state"] == {"before": None, "after": "accepted"}
    assert "outcome" not in referral["fields"]  # None at both ends: nothing differs
    assert told["fields"] == {"status": {"before": "issued", "after": "delivered"},
                              "delivered": {"before": None, "after": at(10)}}

    backwards = changes(after, before)  # what the later file held and the earlier did not
    assert ("referrals", REFERRAL, "removed") in [(c["item"], c["id"], c["change"]) for c in backwards]
    removed = next(c for c in backwards if c["change"] == "removed")
    assert removed["fields"]["partner"] == {"before": "transit", "after": None}


def test_changes_name_a_record_s_own_fields_never_its_lists():
    found = changes(file_at(FACTS[:1]), file_at(FACTS[:4]))
    intake = next(c for c in found if c["item"] == "intake")
    assert (intake["id"], intake["change"]) == (None, "changed")
    assert intake["fields"]["status"] == {"before": "registered", "after": "accepted"}
    assert intake["fields"]["worker"] == {"before": None, "after": "apo-sa-1"}
    assert "consents" not in intake["fields"] and "decisions" not in intake["fields"]
    assert ("intake.consents", NOTE, "added") in [(c["item"], c["id"], c["change"]) for c in found]
    trajectory = next(c for c in found if c["item"] == "trajectory")
    assert set(trajectory["fields"]) == {"trajectory_id", "status", "agency", "worker", "opened"}
    assert changes(file_at(FACTS), file_at(FACTS)) == []


def test_between_gives_both_ends_and_the_facts_of_the_window():
    window = between(FACTS, T0 + dt.timedelta(minutes=3), T0 + dt.timedelta(minutes=7))
    assert window["file_at_since"]["trajectory"]["status"] == "open"
    assert window["file_at_until"]["referrals"][0]["state"] == "sent"
    assert [f["type"].split(".")[3] for f in window["facts"]] == [
        "intervention-recorded", "condition-recorded", "referral-proposed", "referral-step-recorded"]
    assert [(c["item"], c["change"]) for c in window["changes"]] == [
        ("trajectory.interventions", "added"), ("trajectory.conditions", "added"), ("referrals", "added")]


def test_the_parts_a_change_names_are_the_file_s_own():
    assert audit_answers.FILE_RECORDS == RECORDS
    assert audit_answers.FILE_ITEMS == tuple(ITEMS)
    file = file_at(FACTS)
    for path in ITEMS:
        part = file
        for name in path.split("."):
            part = part[name]
        assert isinstance(part, list), path


def test_a_consent_given_in_both_versions_is_one_period_in_v2_s_categories():
    """Intake publishes each giving as v2 then v1: the v1 copy adds no period and does
    not widen the categories (v1's ``identity`` covers the languages too)."""
    v2 = {**fact("intake", "consent-given", 1, consent_id=NOTE, recipient="dsr", purpose="coordination",
                 categories=["identity"], share_history=True), "type": "be.jww.intake.consent-given.v2"}
    v1 = fact("intake", "consent-given", 1, consent_id=NOTE, recipient="dsr", purpose="coordination",
              scope=["identity"])
    withdrawn = fact("intake", "consent-withdrawn", 2, consent_id=NOTE, recipient="dsr", purpose="coordination")
    again_v2 = {**fact("intake", "consent-given", 3, consent_id=NOTE, recipient="dsr", purpose="coordination",
                       categories=["identity", "attendance"], share_history=False),
                "type": "be.jww.intake.consent-given.v2"}
    again_v1 = fact("intake", "consent-given", 3, consent_id=NOTE, recipient="dsr", purpose="coordination",
                    scope=["identity", "attendance"])
    (consent,) = file_at([v2, v1, withdrawn, again_v2, again_v1])["intake"]["consents"]
    assert (consent["in_force"], consent["categories"], consent["share_history"]) == (
        True, ["identity", "attendance"], False)
    assert [(p["categories"], p["share_history"], p["withdrawn"]) for p in consent["periods"]] == [
        (["identity"], True, at(2)), (["identity", "attendance"], False, None)]
    assert AuditFile().validate(file_at([v2, v1, withdrawn, again_v2, again_v1])) == {}


def test_each_stay_of_another_agency_in_the_coordination_plan_is_an_item_until_it_left():
    """Joint guidance (issue 16, item 4): removed by the guiding agency's staff, or out
    because the client withdrew the consent (no one acted here), then joined again."""
    stays = [
        fact("referrals", "coordinating-agency-joined", 1, agency="dsr"),
        fact("referrals", "coordinating-agency-joined", 2, agency="sab"),
        fact("referrals", "coordinating-agency-left", 3, actor=None, agency="dsr", why="consent_withdrawn"),
        fact("referrals", "coordinating-agency-joined", 4, agency="dsr"),
        fact("referrals", "coordinating-agency-left", 5, actor="apo-coord", agency="sab", why="removed"),
    ]
    file = file_at(stays)
    assert [(s["agency"], s["left"], s["left_by"], s["why_left"]) for s in file["coordinating_agencies"]] == [
        ("dsr", at(3), None, "consent_withdrawn"), ("sab", at(5), "apo-coord", "removed"), ("dsr", None, None, None)]
    assert AuditFile().validate(file) == {}
    assert [(c["item"], c["change"]) for c in changes(file_at(stays[:2]), file)] == [
        ("coordinating_agencies", "changed"), ("coordinating_agencies", "changed"),
        ("coordinating_agencies", "added")]
