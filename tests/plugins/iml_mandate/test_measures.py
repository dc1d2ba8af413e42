"""Months-measures and debt evolution arithmetic, computed by hand."""

import datetime as dt

import pytest

from tremplin.api import Period, measure_months
from tremplin_iml_mandate.measures import debt_category, debt_change_percent, months_in_period

D = dt.date
YEAR = Period.year(2024)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2024, 3, 15), D(2024, 6, 14), 3),  # the example: 15 March → 14 June
        (D(2024, 3, 15), D(2024, 6, 20), 4),  # a started month counts one
        (D(2024, 3, 15), D(2024, 6, 13), 3),  # 2 whole months + a started one
        (D(2024, 3, 15), D(2024, 3, 15), 1),  # one day
        (D(2024, 1, 1), D(2024, 1, 31), 1),  # a calendar month
        (D(2024, 1, 1), D(2024, 2, 1), 2),  # and one day more
    ],
)
def test_measure_months_rule(start, end, expected):
    assert measure_months(start, end) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2023, 11, 10), D(2024, 2, 20), 2),  # clipped to 01/01: Jan whole + Feb started
        (D(2024, 10, 15), None, 3),  # ongoing: 15/10→14/12 = 2, then 15→31/12 started
        (D(2024, 1, 1), D(2024, 12, 31), 12),
        (D(2023, 1, 1), D(2023, 12, 31), 0),  # ended before the period
        (D(2025, 1, 1), None, 0),  # starts after it
        (None, None, 0),  # never started
    ],
)
def test_months_inside_a_period(start, end, expected):
    assert months_in_period(start, end, YEAR) == expected


@pytest.mark.parametrize(
    "entry, latest, kept, expected",
    [
        (100_000, 0, False, "cleared"),
        (100_000, -500, False, "cleared"),  # in credit
        (50_000, 5_000, True, "nearly_cleared"),
        (80_000, 69_600, False, "plan_not_kept"),
        (30_000, None, True, "unknown"),
        (0, 0, False, None),  # no debt at entry: not in the table
        (None, 100, False, None),
    ],
)
def test_debt_category(entry, latest, kept, expected):
    assert debt_category(entry, latest, kept) == expected


def test_debt_change_percent():
    assert debt_change_percent(80_000, 69_600) == -13.0
    assert debt_change_percent(100_000, 125_000) == 25.0
    assert debt_change_percent(30_000, 20_000) == -33.3
