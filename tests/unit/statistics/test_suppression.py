"""Which cells are withheld: small cells, cells a nested view would reveal by
subtraction, and the complementary cells that keep a withheld one from being
recovered out of its row's or column's total (services/statistics/suppression.py)."""
from __future__ import annotations

import itertools

from services.statistics.suppression import SMALL, TOTAL, WITHHELD, complementary, differencing, lines, primary, suppress


def table(cells: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """An additive table with its margins (each person in one cell)."""
    out = dict(cells)
    for r in {r for r, _ in cells}:
        out[(r, TOTAL)] = sum(v for (rr, _), v in cells.items() if rr == r)
    for c in {c for _, c in cells}:
        out[(TOTAL, c)] = sum(v for (_, cc), v in cells.items() if cc == c)
    out[(TOTAL, TOTAL)] = sum(cells.values())
    return out


def recoverable(persons: dict, withheld: set) -> set:
    """The withheld cells a reader can compute exactly from what is shown: a line
    (row or column with its total) with exactly one unknown gives it away; repeat
    with what was learnt."""
    known = {k: v for k, v in persons.items() if k not in withheld}
    learnt = set()
    changed = True
    while changed:
        changed = False
        for line in lines(persons):
            unknown = [k for k in line if k not in known]
            if len(unknown) == 1:
                key = unknown[0]
                interior, total = line[:-1], line[-1]
                known[key] = (known.get(total, 0) - sum(known.get(k, 0) for k in interior if k != key)
                              if key != total else sum(known.get(k, 0) for k in interior))
                learnt.add(key)
                changed = True
    return learnt


def test_one_to_four_persons_are_small_zero_and_five_are_not():
    persons = table({("a", "x"): 1, ("a", "y"): 4, ("b", "x"): 5, ("b", "y"): 0})
    # Column y's total (4) is small too; row a's (5) and b's (5) are not.
    assert primary(persons) == {("a", "x"), ("a", "y"), (TOTAL, "y")}


def test_a_total_would_reveal_a_lone_small_cell_so_a_second_one_is_withheld():
    # Row a: 3 + 20 = 23 shown: withholding 3 alone, 23 - 20 gives it back.
    persons = table({("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 30, ("b", "y"): 40})
    withheld = suppress(persons)
    assert withheld[("a", "x")] == SMALL
    assert ("a", "y") in withheld and withheld[("a", "y")] == WITHHELD  # the smallest other cell of its row
    assert ("b", "x") in withheld  # and of its column, so the column does not give it back either
    assert not recoverable(persons, set(withheld)) & {("a", "x")}
    assert recoverable(persons, {("a", "x")}) == {("a", "x")}  # what primary suppression alone would leave


def test_the_complement_is_the_smallest_non_zero_cell_of_the_line():
    persons = table({("a", "x"): 2, ("a", "y"): 50, ("a", "z"): 9, ("b", "x"): 10, ("b", "y"): 7, ("b", "z"): 8})
    withheld = complementary(persons, {("a", "x")})
    assert ("a", "z") in withheld and ("a", "y") not in withheld


def test_a_line_of_zeros_beside_the_small_cell_withholds_its_total():
    # Column x: only a has anyone; the column total equals the small cell.
    persons = table({("a", "x"): 3, ("a", "y"): 10, ("b", "y"): 12})
    withheld = suppress(persons)
    assert {("a", "x"), (TOTAL, "x")} <= set(withheld)
    assert not recoverable(persons, set(withheld)) & {("a", "x")}


def test_small_margins_are_withheld_too():
    persons = table({("a", "x"): 1, ("a", "y"): 2, ("b", "x"): 10, ("b", "y"): 10})
    withheld = suppress(persons)
    assert withheld[("a", TOTAL)] == SMALL  # 3 persons in row a
    assert not recoverable(persons, set(withheld)) & {("a", "x"), ("a", "y"), ("a", TOTAL)}


def test_no_small_cell_can_be_recovered_from_any_additive_table():
    """Every 3 x 3 table of counts from {0, 1, 3, 6, 12} (a sample of them): whatever
    is withheld, no small cell can be computed back from the rows, columns and totals."""
    values = (0, 1, 3, 6, 12)
    keys = [(r, c) for r in "abc" for c in "xyz"]
    for n, combo in enumerate(itertools.product(values, repeat=len(keys))):
        if n % 97:  # a spread sample: the full product is about 2 million tables
            continue
        persons = table(dict(zip(keys, combo)))
        withheld = set(suppress(persons))
        smalls = {k for k, v in persons.items() if 0 < v < 5}
        assert smalls <= withheld
        assert not recoverable(persons, withheld) & smalls, persons


def test_a_nested_view_that_would_leave_a_small_difference_withholds_the_cell():
    year = {("a", "x"): 12, ("a", TOTAL): 12, (TOTAL, "x"): 12, (TOTAL, TOTAL): 12}
    march = {("a", "x"): 9, ("a", TOTAL): 9, (TOTAL, "x"): 9, (TOTAL, TOTAL): 9}
    assert differencing(year, [march]) == set(year)  # 12 - 9 = 3 persons outside March
    assert set(suppress(year, [march])) == set(year)


def test_a_nested_view_that_is_itself_small_or_far_enough_reveals_nothing():
    year = {("a", "x"): 12, (TOTAL, TOTAL): 12}
    assert differencing(year, [{("a", "x"): 4}]) == set()  # March's 4 is shown as "< 5": nothing to subtract
    assert differencing(year, [{("a", "x"): 7}]) == set()  # 5 outside March: not small
    assert differencing(year, [{("a", "x"): 12}]) == set()  # nobody outside March


def test_nothing_is_withheld_in_a_table_of_large_cells():
    assert suppress(table({("a", "x"): 5, ("a", "y"): 6, ("b", "x"): 7, ("b", "y"): 80})) == {}
