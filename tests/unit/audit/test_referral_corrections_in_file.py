"""A referral's corrections (issue 20) in the file audit folds from published facts:
the original steps stay, each cancellation, reopening and withdrawal is a record of
its own with when, by whom and from which state, and the referral stands in the
state the last one left it in (services/audit/replay.py)."""
from services.audit.replay import changes, file_at
from shared.contracts.audit_answers import AuditFile
from tests.unit.audit.test_replay import FACTS, REFERRAL, fact

ABOUT = {"referral_id": REFERRAL, "agency": "apo", "partner": "transit"}
OTHER = "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0"


def step(name, minute, **more):
    return fact("referrals", "referral-step-recorded", minute, **ABOUT, step=name, outcome=None,
                answered=name in ("accepted", "declined", "waitlisted"), **more)


# FACTS leave the referral accepted (minute 9); then it starts, the client drops out,
# the agency reopens it, the partner accepts again and the agency withdraws it.
CORRECTED = FACTS + [
    step("started", 20), step("dropped_out", 21),
    fact("referrals", "referral-reopened", 22, **ABOUT, state="acknowledged"),
    step("accepted", 23),
    fact("referrals", "referral-withdrawn", 24, actor="apo-coord", **ABOUT, from_state="accepted"),
    fact("referrals", "referral-proposed", 25, referral_id=OTHER, agency="apo", partner="transit",
         domains=["work"], from_psychologist_recommendation=False),
    fact("referrals", "referral-cancelled", 26, referral_id=OTHER, agency="apo", partner="transit",
         from_state="proposed"),
]


def referrals(entries) -> dict:
    return {r["referral_id"]: r for r in file_at(entries)["referrals"]}


def test_each_correction_is_a_record_of_the_referral_and_sets_its_state():
    file = file_at(CORRECTED)
    assert AuditFile().validate(file) == {}
    shown = referrals(CORRECTED)
    corrected, cancelled = shown[REFERRAL], shown[OTHER]
    assert [s["step"] for s in corrected["steps"]] == ["sent", "accepted", "started", "dropped_out", "accepted"]
    assert [(c["correction"], c["from_state"], c["state"], c["by"]) for c in corrected["corrections"]] == [
        ("reopened", "dropped_out", "acknowledged", "apo-sa-1"), ("withdrawn", "accepted", "withdrawn", "apo-coord")]
    assert corrected["state"] == "withdrawn"
    assert [(c["correction"], c["from_state"], c["state"]) for c in cancelled["corrections"]] == [
        ("cancelled", "proposed", "cancelled")]
    assert cancelled["state"] == "cancelled" and cancelled["steps"] == []


def test_the_file_before_a_correction_shows_the_referral_as_it_stood():
    then = referrals(CORRECTED[:-4])  # up to the reopening
    assert then[REFERRAL]["state"] == "acknowledged" and len(then[REFERRAL]["corrections"]) == 1
    before = referrals(CORRECTED[:-5])
    assert before[REFERRAL]["state"] == "dropped_out" and before[REFERRAL]["corrections"] == []
    changed = changes(file_at(CORRECTED[:-5]), file_at(CORRECTED[:-4]))
    (referral,) = [c for c in changed if c["item"] == "referrals"]
    assert (referral["id"], referral["change"]) == (REFERRAL, "changed")
    assert referral["fields"]["state"] == {"before": "dropped_out", "after": "acknowledged"}
    assert set(referral["fields"]) == {"state", "corrections"}
