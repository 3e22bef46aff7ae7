"""Which periods figures are given for: whole calendar months, quarters or years,
or a run of whole years, at most five (``MAX_YEARS``).

Two such periods are either disjoint or one lies inside the other, never partly
overlapping: the only figures a reader could subtract a period's from are those of
the periods nested in it, which ``suppression`` checks (rule 2). A period of any
other shape is refused, naming ``from`` or ``until``.

Months are numbered from year 0 (``year * 12 + month - 1``), which is how the
projection files what it counts.
"""
from __future__ import annotations

import datetime as dt

from shared.contracts.statistics import MAX_YEARS


def month_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def first_day(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def last_day(month: int) -> dt.date:
    return first_day(month + 1) - dt.timedelta(days=1)


class BadPeriod(ValueError):
    def __init__(self, details: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in details.items()))
        self.details = details


def months(since: dt.date, until: dt.date) -> range:
    """The months of an allowed period, or BadPeriod naming what is wrong."""
    problems: dict[str, list[str]] = {}
    if since.day != 1:
        problems["from"] = ["must be the first day of a month"]
    if until != last_day(month_of(until)):
        problems["until"] = ["must be the last day of a month"]
    if until < since:
        problems.setdefault("until", []).append("must not be before from")
    if problems:
        raise BadPeriod(problems)
    first, last = month_of(since), month_of(until)
    length = last - first + 1
    if length > 12 * MAX_YEARS:
        raise BadPeriod({"until": [f"at most {MAX_YEARS} years after from"]})
    if not _allowed(first, length):
        raise BadPeriod({"until": ["a period is a whole calendar month, quarter or year, or whole calendar years"]})
    return range(first, last + 1)


def _allowed(first: int, length: int) -> bool:
    if length == 1:
        return True
    if length == 3:
        return first % 3 == 0
    return length % 12 == 0 and first % 12 == 0


def nested(period: range) -> list[range]:
    """The allowed periods strictly inside ``period``: a reader may ask for each."""
    inside = []
    for length in (1, 3, 12, *range(24, len(period), 12)):
        if length >= len(period):
            break
        for start in range(period.start, period.stop - length + 1):
            if _allowed(start, length):
                inside.append(range(start, start + length))
    return inside
