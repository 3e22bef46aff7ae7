"""Lists the API returns come in pages (``limit``, ``offset``) with their total and
a link to the next page, and can be filtered on their items' fields."""
from __future__ import annotations

from urllib.parse import urlencode

from services.gateway import problems
from services.gateway.routes import Filter, Route

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
PAGING = ("limit", "offset")


def reserved(route: Route) -> set[str]:
    """Query parameters the gateway handles itself rather than passing to the service."""
    if route.filters is None:
        return set()
    return set(PAGING) | {f.param for f in route.filters}


def _integer(args, name: str, default: int, low: int, high: int | None, errors: dict) -> int:
    text = args.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        errors[name] = ["must be an integer"]
        return default
    if value < low or (high is not None and value > high):
        errors[name] = [f"must be between {low} and {high}" if high is not None else f"must be at least {low}"]
    return value


def _boolean(text: str) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(text.lower())


class Wanted:
    """What a request asks of a list: which page, which items."""

    def __init__(self, limit: int, offset: int, filters: list[tuple[Filter, object]]):
        self.limit, self.offset, self.filters = limit, offset, filters


def wanted(route: Route, args) -> Wanted:
    """The paging and filters in the query ``args``, or a 422 problem naming each bad one."""
    errors: dict[str, list[str]] = {}
    limit = _integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, errors)
    offset = _integer(args, "offset", 0, 0, None, errors)
    filters: list[tuple[Filter, object]] = []
    for f in route.filters or ():
        if f.param not in args:
            continue
        value = args[f.param]
        if f.kind == "boolean":
            value = _boolean(value)
            if value is None:
                errors[f.param] = ["must be true or false"]
                continue
        filters.append((f, value))
    if errors:
        raise problems.invalid("the list parameters are not valid", errors)
    return Wanted(limit, offset, filters)


def page(items: list, wanted: Wanted, args, path: str) -> tuple[dict, dict]:
    """The page of ``items`` that was asked for, and its headers (a link to the next page)."""
    limit, offset = wanted.limit, wanted.offset
    kept = [item for item in items if all(_matches(item, f, value) for f, value in wanted.filters)]
    body = {"items": kept[offset:offset + limit], "total": len(kept), "limit": limit, "offset": offset,
            "next": None}
    headers = {}
    if offset + limit < len(kept):
        query = [(k, v) for k, v in args.items(multi=True) if k != "offset"] + [("offset", offset + limit)]
        body["next"] = f"{path}?{urlencode(query)}"
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    return body, headers


def _matches(item, f: Filter, value) -> bool:
    if not isinstance(item, dict):
        return False
    actual = item.get(f.field)
    if isinstance(actual, list):
        return value in actual
    return actual == value
