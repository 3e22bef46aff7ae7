"""Which periods figures are given for (services/statistics/periods.py)."""
import datetime as dt

import pytest

from services.statistics import periods

D = dt.date


@pytest.mark.parametrize("since, until, months", [
    (D(2026, 2, 1), D(2026, 2, 28), 1),
    (D(2026, 4, 1), D(2026, 6, 30), 3),
    (D(2025, 1, 1), D(2025, 12, 31), 12),
    (D(2021, 1, 1), D(2025, 12, 31), 60),
])
def test_whole_months_quarters_years_and_runs_of_years(since, until, months):
    assert len(periods.months(since, until)) == months


@pytest.mark.parametrize("since, until, field", [
    (D(2026, 2, 2), D(2026, 2, 28), "from"),  # not the first of a month
    (D(2026, 2, 1), D(2026, 2, 27), "until"),  # not the last
    (D(2026, 2, 1), D(2026, 3, 31), "until"),  # two months: partly overlaps quarters
    (D(2026, 2, 1), D(2026, 4, 30), "until"),  # three months, not a calendar quarter
    (D(2025, 7, 1), D(2026, 6, 30), "until"),  # twelve months, not a calendar year
    (D(2020, 1, 1), D(2025, 12, 31), "until"),  # six years
    (D(2026, 3, 1), D(2026, 2, 28), "until"),  # before from
])
def test_any_other_period_is_refused_naming_the_field(since, until, field):
    with pytest.raises(periods.BadPeriod) as refused:
        periods.months(since, until)
    assert field in refused.value.details


def test_the_periods_nested_in_a_year_are_its_months_and_quarters():
    year = periods.months(D(2025, 1, 1), D(2025, 12, 31))
    inside = periods.nested(year)
    assert len(inside) == 16
    assert {len(p) for p in inside} == {1, 3}
    assert all(p.start >= year.start and p.stop <= year.stop for p in inside)


def test_the_periods_nested_in_three_years_include_its_years_and_pairs_of_years():
    run = periods.months(D(2023, 1, 1), D(2025, 12, 31))
    lengths = sorted(len(p) for p in periods.nested(run))
    assert lengths.count(12) == 3 and lengths.count(24) == 2 and lengths.count(3) == 12 and lengths.count(1) == 36
