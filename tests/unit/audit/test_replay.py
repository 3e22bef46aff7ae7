"""The file at an instant and what changed, folded from published facts alone."""
import datetime as dt

from services.audit.replay import between, changes, file_at

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
CLIENT = "5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21"
REFERRAL = "0d6f3b1e-8a3c-4a57-9d1a-6f2e4b9c7a10"
NOTE = "8e2a6c4d-1b3f-4e5a-9c7d-2f1e0a3b5c6d"


def fact(source, name, minutes, **data):
    return {"type": f"be.jww.{source}.{name}.v1", "source": source, "time": T0 + dt.timedelta(minutes=minutes),
            "data": {"client_id": CLIENT, **data}}


FACTS = [
    fact("intake", "client-registered", 0, agency="apo", languages=["fr"], legal_position="convicted"),
    fact("intake", "intake-accepted", 1, agency="apo", worker="apo-sa-1"),
    fact("guidance", "trajectory-opened", 2, agency="apo", worker="apo-sa-1"),
    fact("notifications", "notification-issued", 2, notification_id=NOTE, kind="new_assignment",
         recipient="apo-sa-1", channel="email", due=T0.isoformat()),
    fact("guidance", "intervention-recorded", 3, method="listening_support"),
    fact("referrals", "referral-proposed", 4, referral_id=REFERRAL, partner="transit"),
    fact("referrals", "referral-step-recorded", 5, referral_id=REFERRAL, step="accepted", outcome=None),
    fact("notifications", "notification-delivered", 6, notification_id=NOTE),
]


def test_the_file_is_what_the_facts_made_it():
    file = file_at(FACTS)
    assert (file["intake"]["status"], file["intake"]["worker"], file["intake"]["languages"]) == (
        "accepted", "apo-sa-1", ["fr"])
    assert (file["trajectory"]["status"], file["trajectory"]["interventions"]) == ("open", 1)
    assert file["trajectory"]["by_method"] == {"listening_support": 1}
    assert file["referrals"] == {REFERRAL: {"partner": "transit", "state": "accepted", "outcome": None}}
    assert file["notifications"][NOTE]["status"] == "delivered"


def test_a_step_of_a_referral_the_file_does_not_hold_changes_nothing():
    (step,) = [f for f in FACTS if f["type"].endswith("referral-step-recorded.v1")]
    assert file_at([step])["referrals"] == {}


def test_changes_name_each_field_that_differs_by_its_path():
    before, after = file_at(FACTS[:2]), file_at(FACTS[:5])
    fields = {c["field"]: (c["before"], c["after"]) for c in changes(before, after)}
    assert fields["trajectory.interventions"] == (0, 1)
    assert fields["trajectory.by_method.listening_support"] == (None, 1)
    assert fields[f"notifications.{NOTE}.status"] == (None, "issued")
    assert "intake.status" not in fields


def test_between_gives_both_ends_and_the_facts_of_the_window():
    window = between(FACTS, T0 + dt.timedelta(minutes=2), T0 + dt.timedelta(minutes=5))
    assert window["file_at_since"]["trajectory"]["status"] == "open"
    assert window["file_at_until"]["referrals"][REFERRAL]["state"] == "accepted"
    assert [f["type"].split(".")[3] for f in window["facts"]] == [
        "intervention-recorded", "referral-proposed", "referral-step-recorded"]
    assert {c["field"] for c in window["changes"]} >= {"trajectory.interventions", f"referrals.{REFERRAL}.state"}
