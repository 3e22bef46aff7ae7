"""The figures' projection: what the tallies add up to, per month, agency, table and
cell, kept in memory by tailing the service's own log (shared.readmodel). It is
disposable: a new instance rebuilds it from the log, and every instance reads the
same log, so they all answer alike.

Each (table, agency, month) keeps, per cell and per margin (``(row, total)``,
``(total, column)``, ``(total, total)``): the persons in it, as a bit set of small
numbers standing for the pseudonyms (with how many tallies each has there, so a
withdrawn tally takes a person out only when it was their last), how many things
were counted and their amount (minutes, days waited), and, for the waits, each one.

A period's figure is then the union of its months' bit sets: distinct persons over
the period, not a sum of months; and every nested period's the union of fewer.
Periods are whole months (``periods``), so nothing finer is needed. A stretch of
guidance counts in every month it overlaps; one still open counts up to whatever
period is asked for.
"""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from eventsourcing.utils import get_topic

from shared.readmodel import LogTail

from services.statistics.domain import Tally
from services.statistics.periods import month_of
from services.statistics.suppression import TOTAL

Key = tuple[str, str]


@dataclass
class Cell:
    persons: Counter = field(default_factory=Counter)  # person number -> tallies here
    mask: int = 0
    count: int = 0
    amount: int = 0
    values: dict = field(default_factory=dict)  # tally -> amount, for the tables that show a median

    def add(self, person: int, amount: int, entry, keep_value: bool) -> None:
        if not self.persons[person]:
            self.mask |= 1 << person
        self.persons[person] += 1
        self.count += 1
        self.amount += amount
        if keep_value:
            self.values[entry] = amount

    def remove(self, person: int, amount: int, entry, keep_value: bool) -> None:
        self.persons[person] -= 1
        if not self.persons[person]:
            del self.persons[person]
            self.mask &= ~(1 << person)
        self.count -= 1
        self.amount -= amount
        if keep_value:
            self.values.pop(entry, None)


@dataclass
class Sum:
    """A cell's things counted over some months and agencies."""

    count: int = 0
    amount: int = 0
    values: list = field(default_factory=list)


MEDIAN_TABLES = frozenset({"waiting"})


def keys_of(cells: Iterable[Iterable[str]]) -> set[Key]:
    """The cells a tally counts in, and the margins it counts in once each."""
    cells = {tuple(c) for c in cells}
    return cells | {(r, TOTAL) for r, _ in cells} | {(TOTAL, c) for _, c in cells} | ({(TOTAL, TOTAL)} if cells else set())


class Figures:
    """The projection itself, fed tallies as they read now (``put``) or gone (``drop``);
    ``FiguresTail`` feeds it from the log."""

    def __init__(self):
        self.numbers: dict[str, int] = {}  # pseudonym -> small number
        # (table, agency, month) -> key -> Cell
        self.buckets: dict[tuple[str, str, int], dict[Key, Cell]] = defaultdict(lambda: defaultdict(Cell))
        # table -> agency -> first month -> key -> Cell: stretches still open
        self.open: dict[str, dict[str, dict[int, dict[Key, Cell]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(Cell))))
        self.counted: dict = {}  # tally id -> what it added, to take away on a correction
        self.stretches: dict = {}  # the same, of the stretches of guidance alone
        self.agencies: set[str] = set()
        # (table, agency, month) -> key -> the month's persons, open stretches included:
        # kept between requests, dropped where a tally changes.
        self.unions: dict[tuple[str, str, int], dict[Key, int]] = {}
        self.lock = threading.RLock()

    def _number(self, pseudonym: str) -> int:
        number = self.numbers.get(pseudonym)
        if number is None:
            number = self.numbers[pseudonym] = len(self.numbers)
        return number

    def put(self, entry, table: str, person: str, agency: str, start, end, cells, amount: int) -> None:
        with self.lock:
            self.drop(entry)
            added = (table, self._number(person), agency, month_of(start), None if end is None else month_of(end),
                     keys_of(cells), amount)
            self._apply(entry, added, Cell.add)
            self.counted[entry] = added
            if table == "clients":
                self.stretches[entry] = added
            self.agencies.add(agency)

    def drop(self, entry) -> None:
        with self.lock:
            added = self.counted.pop(entry, None)
            self.stretches.pop(entry, None)
            if added is not None:
                self._apply(entry, added, Cell.remove)

    def _apply(self, entry, added, change) -> None:
        table, person, agency, first, last, keys, amount = added
        keep = table in MEDIAN_TABLES
        if last is None:
            targets = [self.open[table][agency][first]]
            for cached in [c for c in self.unions if c[:2] == (table, agency) and c[2] >= first]:
                del self.unions[cached]
        else:
            targets = [self.buckets[(table, agency, month)] for month in range(first, last + 1)]
            for month in range(first, last + 1):
                self.unions.pop((table, agency, month), None)
        for cells in targets:
            for key in keys:
                change(cells[key], person, amount, entry, keep)

    def sums(self, table: str, months: range, agencies: Iterable[str]) -> dict[Key, Sum]:
        """The table's cells over these months and agencies: the things counted (a
        stretch over several months once) and their amount, or for a table that
        shows a median, the amounts themselves. Persons are ``masks``'."""
        out: dict[Key, Sum] = defaultdict(Sum)
        agencies = list(agencies)
        with self.lock:
            if table == "clients":
                wanted = set(agencies)
                for _, _, agency, first, last, keys, _ in self.stretches.values():
                    if agency in wanted and first <= months[-1] and (last is None or last >= months[0]):
                        for key in keys:
                            out[key].count += 1
                return out
            values: dict[Key, dict] = defaultdict(dict)
            for agency in agencies:
                for month in months:
                    for key, cell in (self.buckets.get((table, agency, month)) or {}).items():
                        if table in MEDIAN_TABLES:
                            values[key].update(cell.values)
                        else:
                            out[key].count += cell.count
                            out[key].amount += cell.amount
        for key, found in values.items():
            out[key].values = sorted(found.values())
            out[key].count = len(found)
        return out

    def masks(self, table: str, months: range, agencies: Iterable[str], memo: dict) -> dict[Key, int]:
        """The persons (bit sets) in each cell over these months and agencies. An
        allowed period is the union of the allowed periods one level down (years,
        quarters, months), and many agencies the union of each: ``memo`` keeps each
        union made, so the nested views of one request cost little more than it."""
        agencies = tuple(sorted(agencies))
        found = memo.get((table, months, agencies))
        if found is not None:
            return found
        if len(agencies) > 1:
            parts = [self.masks(table, months, (agency,), memo) for agency in agencies]
        elif len(months) > 1:
            step = 1 if len(months) == 3 else 3 if len(months) == 12 else 12
            parts = [self.masks(table, range(start, start + step), agencies, memo)
                     for start in range(months.start, months.stop, step)]
        else:
            parts = [self._month(table, agencies[0], months[0])]
        union = dict(parts[0])
        for part in parts[1:]:
            for key, mask in part.items():
                if key in union:
                    union[key] |= mask
                else:
                    union[key] = mask
        memo[(table, months, agencies)] = union
        return union

    def _month(self, table: str, agency: str, month: int) -> dict[Key, int]:
        with self.lock:
            cached = self.unions.get((table, agency, month))
            if cached is not None:
                return cached
            sources = [self.buckets.get((table, agency, month)) or {}]
            opened = self.open.get(table, {}).get(agency, {})
            sources += [cells for first, cells in opened.items() if first <= month]
            union: dict[Key, int] = {}
            for cells in sources:
                for key, cell in cells.items():
                    if cell.mask:
                        union[key] = union.get(key, 0) | cell.mask
            self.unions[(table, agency, month)] = union
            return union


class FiguresTail(LogTail):
    """Feeds ``Figures`` from the tallies in the service's log."""

    TOPICS = tuple(get_topic(cls) for cls in (
        Tally.Counted, Tally.Corrected, Tally.Withdrawn, Tally.Restored, Tally.Closed))

    def __init__(self, app):
        super().__init__(app)
        self.figures = Figures()
        self.tallies: dict = {}  # tally id -> its state as last read

    def apply(self, event) -> None:
        entry = event.originator_id
        if isinstance(event, Tally.Counted):
            state = {"table": event.table, "person": event.person, "agency": event.agency, "start": event.start,
                     "end": event.end, "cells": event.cells, "amount": event.amount, "withdrawn": False}
        else:
            state = dict(self.tallies[entry])
            if isinstance(event, Tally.Corrected):
                state.update(start=event.start, end=event.end, cells=event.cells, amount=event.amount)
            elif isinstance(event, Tally.Closed):
                state["end"] = event.end
            else:
                state["withdrawn"] = isinstance(event, Tally.Withdrawn)
        self.tallies[entry] = state
        if state["withdrawn"]:
            self.figures.drop(entry)
        else:
            self.figures.put(entry, state["table"], state["person"], state["agency"], state["start"], state["end"],
                             state["cells"], state["amount"])

    def current(self) -> Figures:
        self.refresh()
        return self.figures
