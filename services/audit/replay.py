"""The client's file as it stood at an instant, rebuilt from the timeline alone,
and what changed in it between two instants."""
from __future__ import annotations

from typing import Any

from services.audit.domain import within

INTAKE_STATUS = {
    "client-registered": "registered", "intake-accepted": "accepted", "intake-declined": "declined",
    "intake-waitlisted": "waitlisted",
}
NOTIFICATION_STATUS = {
    "notification-issued": "issued", "notification-delivered": "delivered",
    "notification-dead-lettered": "dead-lettered",
}


def file_at(entries: list[dict]) -> dict:
    """Fold the entries (already cut at the instant, in causal order) into a file."""
    file = {
        "intake": {"status": None, "agency": None, "worker": None, "languages": [], "legal_position": None,
                   "help_requests": 0, "consents": {}},
        "trajectory": {"status": None, "agency": None, "worker": None, "interventions": 0, "by_method": {},
                       "psychologist_recommended": False, "attendance_certificates": 0, "continuity_gaps": 0},
        "referrals": {},
        "case_conferences": 0,
        "notifications": {},
    }
    intake, trajectory, referrals = file["intake"], file["trajectory"], file["referrals"]
    notifications = file["notifications"]
    for entry in entries:
        fact, data = entry["type"].split(".")[3], entry["data"]
        if fact in INTAKE_STATUS:
            intake["status"] = INTAKE_STATUS[fact]
        if fact == "client-registered":
            intake.update(agency=data["agency"], languages=data["languages"], legal_position=data["legal_position"])
        elif fact in ("client-languages-recorded",):
            intake["languages"] = data["languages"]
        elif fact == "help-request-received":
            intake["help_requests"] += 1
        elif fact in ("intake-accepted", "client-reassigned", "client-transferred"):
            intake.update(agency=data["agency"], worker=data["worker"])
        elif fact in ("consent-given", "consent-withdrawn"):
            intake["consents"][f"{data['recipient']}/{data['purpose']}"] = fact == "consent-given"
        elif fact == "trajectory-opened":
            trajectory.update(status="open", agency=data["agency"], worker=data["worker"])
        elif fact == "trajectory-closed":
            trajectory["status"] = "closed"
        elif fact == "trajectory-reopened":
            trajectory["status"] = "open"
        elif fact == "trajectory-worker-changed":
            trajectory["worker"] = data["worker"]
        elif fact == "intervention-recorded":
            trajectory["interventions"] += 1
            trajectory["by_method"][data["method"]] = trajectory["by_method"].get(data["method"], 0) + 1
        elif fact == "psychologist-recommended":
            trajectory["psychologist_recommended"] = True
        elif fact == "attendance-certificate-issued":
            trajectory["attendance_certificates"] += 1
        elif fact == "continuity-gap":
            trajectory["continuity_gaps"] += 1
        elif fact == "referral-proposed":
            referrals[data["referral_id"]] = {"partner": data["partner"], "state": "proposed", "outcome": None}
        elif fact == "referral-step-recorded" and data["referral_id"] in referrals:
            referrals[data["referral_id"]].update(state=data["step"], outcome=data["outcome"])
        elif fact == "case-conference-held":
            file["case_conferences"] += 1
        elif fact == "notification-issued":
            notifications[data["notification_id"]] = {
                "kind": data["kind"], "recipient": data["recipient"], "channel": data["channel"], "due": data["due"],
                "status": "issued"}
        elif fact in NOTIFICATION_STATUS and data["notification_id"] in notifications:
            notifications[data["notification_id"]]["status"] = NOTIFICATION_STATUS[fact]
    return file


def between(facts: list[dict], since, until) -> dict:
    """The file at both ends of the window ``(since, until]`` (``facts`` in causal
    order), what changed in it, and the facts that changed it."""
    before, after = file_at(within(facts, "time", None, since)), file_at(within(facts, "time", None, until))
    return {"file_at_since": before, "file_at_until": after, "changes": changes(before, after),
            "facts": within(facts, "time", since, until)}


def changes(before: dict, after: dict) -> list[dict]:
    """Every field of the file whose value differs, by its dotted path."""
    old, new = _flat(before), _flat(after)
    return [{"field": field, "before": old.get(field), "after": new.get(field)}
            for field in sorted(old.keys() | new.keys()) if old.get(field) != new.get(field)]


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):  # an empty one adds no field: nothing was in it
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}
