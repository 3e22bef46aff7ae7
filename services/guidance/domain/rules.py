"""What guidance's rules refer to: intervals, grace periods, and the refusals."""
from __future__ import annotations

import datetime as dt

from shared.domain import NotNow, Unknown

OPEN, CLOSED = "open", "closed"
INTERVALS = {"weekly": dt.timedelta(weeks=1), "fortnightly": dt.timedelta(weeks=2), "monthly": dt.timedelta(days=31)}
ATTENDED_PLACES = {"office", "home_visit", "prison", "video"}  # the person was there (not a phone call)
CONTINUITY_GRACE = dt.timedelta(days=7)
CONDITION_NOTICE = dt.timedelta(days=14)
# How long before a residence document expires its reminder goes out ([guidance]
# document_notice_days), and before a plan's review falls due.
DOCUMENT_NOTICE = dt.timedelta(days=30)
PLAN_REVIEW_NOTICE = dt.timedelta(days=7)
RESIDENCE_STATUS = "residence_status"  # the procedure whose document has an expiry date
# Recorded after it happened, with a little slack for clocks that disagree.
CLOCK_SLACK = dt.timedelta(minutes=5)


class TrajectoryClosed(NotNow):
    def __init__(self, status: str):
        super().__init__("the trajectory is closed; reopen it first", {"status": [status]})


class NotYetHappened(NotNow):
    def __init__(self):
        super().__init__("an intervention is recorded after it happened", {"at": ["is in the future"]})


def known(items: dict, kind: str, key: str) -> dict:
    """``items[key]``, or the refusal naming the ``kind`` that is not there."""
    if key not in items:
        raise Unknown(f"no such {kind}", {f"{kind}_id": ["not found"]})
    return items[key]
