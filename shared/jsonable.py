"""What an answer holds, as JSON holds it: dates, times and ids as strings."""
from __future__ import annotations

import datetime as dt
from uuid import UUID


def jsonable(value):
    """Dates, times and ids as strings, recursively."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
