"""The figures a funder or a coordinator asks for: each table's cells over a period,
with small cells and those that would reveal one withheld (``suppression``), as
JSON or CSV.

Who sees what: a funder (platform-wide, no access to any file) sees all agencies
together, or one; a coordinator their own agency only; nobody else any figure.
"""
from __future__ import annotations

import datetime as dt
import statistics as stats
from dataclasses import dataclass

from shared.contracts.statistics import MEASURES, TABLES, as_csv
from shared.errors import Forbidden, InvalidInput

from services.statistics import periods, suppression
from services.statistics.projection import Figures, Sum
from services.statistics.suppression import SMALL, TOTAL, WITHHELD

FUNDER, COORDINATOR = "funder", "coordinator"


@dataclass(frozen=True)
class Table:
    rows: str  # what the row codes are
    columns: str
    median: bool = False  # the amount shown is the median of the things counted, not their sum


SHAPES = {
    "clients": Table("legal_position", "situation"),
    "intakes": Table("step", "detail"),
    "interventions": Table("method", "domain"),
    "interpreters": Table("language", "kind"),
    "referrals": Table("partner_kind", "state"),
    "waiting": Table("urgency", "detail", median=True),
    "continuity_gaps": Table("kind", "detail"),
}
assert set(SHAPES) == set(TABLES)


def scope(actor: dict, agency: str | None, known: set[str]) -> tuple[str | None, list[str]]:
    """The agency asked for (None: all) and the agencies the figures cover."""
    if actor["role"] == FUNDER:
        return agency, [agency] if agency else sorted(known)
    if actor["role"] == COORDINATOR:
        if agency is not None and agency != actor["agency"]:
            raise Forbidden("a coordinator reads the figures of their own agency only", {"agency": ["not yours"]},
                            rule="agency")
        return actor["agency"], [actor["agency"]]
    raise Forbidden(f"a {actor['role'].replace('_', ' ')} reads no figures", rule="role")


def figures(projection: Figures, actor: dict, since: dt.date, until: dt.date, agency: str | None = None,
            dimensions: list[str] | None = None) -> dict:
    try:
        months = periods.months(since, until)
    except periods.BadPeriod as bad:
        raise InvalidInput("not a period figures are given for", bad.details) from None
    asked, agencies = scope(actor, agency, projection.agencies)
    # Views a reader could subtract this one from: each allowed period inside it, and
    # across agencies, each agency over this period and those inside it.
    nested = [(inside, agencies) for inside in periods.nested(months)]
    if asked is None:
        nested += [(within, [one]) for one in agencies for within in (months, *periods.nested(months))]
    tables, memo = {}, {}
    for name in dimensions or TABLES:
        persons = {key: mask.bit_count() for key, mask in projection.masks(name, months, agencies, memo).items()}
        # Only a cell of 6 persons or more can leave 1 to 4 outside a view of 5 or more.
        views = ({key: mask.bit_count() for key, mask in projection.masks(name, view, among, memo).items()
                  if persons.get(key, 0) > suppression.THRESHOLD} for view, among in nested)
        withheld = suppression.suppress(persons, views)
        persons.setdefault((TOTAL, TOTAL), 0)
        tables[name] = _shown(name, projection.sums(name, months, agencies), persons, withheld)
    return {"from": since.isoformat(), "until": until.isoformat(), "agency": asked,
            "threshold": suppression.THRESHOLD, "small": SMALL, "withheld": WITHHELD, "tables": tables}


def _order(key: tuple[str, str]) -> tuple:
    row, column = key
    return (row == TOTAL, row, column == TOTAL, column)


def _shown(name: str, sums: dict[tuple[str, str], Sum], persons: dict, withheld: dict) -> dict:
    shape = SHAPES[name]
    count_kind, amount_kind = MEASURES[name]
    cells = []
    for key in sorted(persons, key=_order):
        total = sums.get(key) or Sum()
        cell = {"row": key[0], "column": key[1], "persons": persons[key]}
        if count_kind:
            cell[count_kind] = total.count
        if amount_kind:
            cell[amount_kind] = (stats.median(total.values) if total.values else None) if shape.median \
                else total.amount
        if key in withheld:
            cell = {**{measure: WITHHELD for measure in cell}, "row": key[0], "column": key[1],
                    "persons": withheld[key]}
        cells.append(cell)
    return {"rows": shape.rows, "columns": shape.columns, "cells": cells}


__all__ = ["as_csv", "figures", "scope"]
