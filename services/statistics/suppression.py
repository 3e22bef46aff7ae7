"""Which cells of a figure are withheld, so that no figure identifies anyone.

A table counts distinct persons per cell (a row code and a column code) and, in
its margins, per row (``(row, TOTAL)``), per column (``(TOTAL, column)``) and in all
(``(TOTAL, TOTAL)``). Three rules, applied in this order, decide what is withheld:

1. **Small cells** (primary suppression). A cell, margins included, of 1 to 4
   persons is shown as "< 5". Zero is shown: it says that nobody is in the cell,
   which identifies no one.

2. **Nested views** (differencing). The same cell is also asked for over views
   nested in this one: each allowed period inside the requested one (its months,
   its quarters, its years: see ``periods``) and, across agencies, each agency on
   its own. If such a view shows the cell (5 persons or more) and this one has 1 to
   4 persons more, subtracting one from the other would single out those 1 to 4
   persons: the cell is withheld here. This is what keeps overlapping periods from
   revealing a small cell. Allowed periods are whole calendar months, quarters or
   years, or runs of whole years (``periods``): two of them are either disjoint or
   nested, never partly overlapping, so the nested views are all a reader could
   subtract this one from. The rule reads only the counts, never the order of
   requests, so a cell is withheld here whatever was asked before or after.

3. **Complementary suppression.** A withheld cell could be recovered from its
   row's or its column's total and the cells shown beside it. So every line (a row
   with its row total, a column with its column total, and the lines of totals)
   that has exactly one withheld cell gets a second one: its smallest non-zero
   cell still shown, or, when it has none, its total. Withholding a cell may leave
   another line with a single one, so this repeats until no line has. Persons
   counted in several cells of a row make its total less than the sum of its
   cells; treating the table as additive withholds at least what is needed.

Every other number shown in a withheld cell (interventions, minutes, the median
wait) is withheld with it.
"""
from __future__ import annotations

from typing import Iterable, Mapping

TOTAL = "total"
THRESHOLD = 5
SMALL = "< 5"  # shown in place of a small cell's count of persons
WITHHELD = "x"  # shown in place of any other number of a withheld cell

Key = tuple[str, str]


def small(count: int) -> bool:
    return 0 < count < THRESHOLD


def primary(persons: Mapping[Key, int]) -> set[Key]:
    """Rule 1: the cells, margins included, of 1 to 4 persons."""
    return {key for key, count in persons.items() if small(count)}


def differencing(persons: Mapping[Key, int], nested: Iterable[Mapping[Key, int]]) -> set[Key]:
    """Rule 2: the cells that a nested view showing the same cell would single a
    small group out of, by subtraction."""
    withheld = set()
    for view in nested:
        for key, inside in view.items():
            if inside >= THRESHOLD and small(persons.get(key, 0) - inside):
                withheld.add(key)
    return withheld


def lines(persons: Mapping[Key, int]) -> list[list[Key]]:
    """Each row with its row total, each column with its column total, the row of
    column totals with the grand total, and the column of row totals with it:
    the interior cells first, the line's total last."""
    rows = sorted({r for r, _ in persons} - {TOTAL})
    columns = sorted({c for _, c in persons} - {TOTAL})
    found = []
    for r in [*rows, TOTAL]:
        found.append([(r, c) for c in columns] + [(r, TOTAL)])
    for c in [*columns, TOTAL]:
        found.append([(r, c) for r in rows] + [(TOTAL, c)])
    return found


def complementary(persons: Mapping[Key, int], withheld: set[Key]) -> set[Key]:
    """Rule 3: ``withheld`` grown until no line has exactly one withheld cell."""
    withheld = set(withheld)
    every = lines(persons)
    changed = True
    while changed:
        changed = False
        for line in every:
            if sum(1 for key in line if key in withheld) != 1:
                continue
            interior, total = line[:-1], line[-1]
            shown = [key for key in interior if key not in withheld and persons.get(key, 0) > 0]
            if shown:
                withheld.add(min(shown, key=lambda key: (persons[key], key)))
            elif total not in withheld and persons.get(total, 0) > 0:
                withheld.add(total)
            else:
                continue  # the rest of the line is zeros: nothing it shows adds up to the cell
            changed = True
    return withheld


def suppress(persons: Mapping[Key, int], nested: Iterable[Mapping[Key, int]] = ()) -> dict[Key, str]:
    """The withheld cells, each with why: ``SMALL`` for a small cell (shown as "< 5"),
    ``WITHHELD`` for one withheld so that a small one cannot be recovered."""
    small_cells = primary(persons)
    withheld = complementary(persons, small_cells | differencing(persons, nested))
    return {key: SMALL if key in small_cells else WITHHELD for key in withheld}
