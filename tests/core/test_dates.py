"""The shared date arithmetic of tremplin.api: civil months and months-measures."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tremplin.api import add_months, age_on, measure_months, whole_months

D = dt.date


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)
    assert add_months(D(2024, 3, 15), -3) == D(2023, 12, 15)


def test_age_on_the_day_before_and_of_the_birthday():
    assert age_on(D(2000, 6, 10), D(2025, 6, 9)) == 24
    assert age_on(D(2000, 6, 10), D(2025, 6, 10)) == 25


def test_a_measure_from_15_march_to_14_june_is_three_months():
    assert whole_months(D(2024, 3, 15), D(2024, 6, 14)) == 3
    assert measure_months(D(2024, 3, 15), D(2024, 6, 14)) == 3
    assert whole_months(D(2024, 3, 15), D(2024, 6, 13)) == 2
    # A started month counts as one more months-measure.
    assert measure_months(D(2024, 3, 15), D(2024, 6, 20)) == 4
    assert measure_months(D(2024, 3, 15), D(2024, 3, 15)) == 1
    assert measure_months(D(2024, 1, 1), D(2024, 12, 31)) == 12
    # From 31/01 a month ends on 28/02 (one month later is the clamped 29/02).
    assert measure_months(D(2024, 1, 31), D(2024, 2, 28)) == 1
    assert measure_months(D(2024, 1, 31), D(2024, 2, 29)) == 2
    assert measure_months(D(2024, 6, 1), D(2024, 5, 31)) == 0


@given(st.dates(D(2000, 1, 1), D(2040, 1, 1)), st.integers(0, 60))
def test_whole_months_inverts_add_months(start, n):
    end = add_months(start, n) - dt.timedelta(days=1)
    if end >= start:
        assert whole_months(start, end) == n
        assert measure_months(start, end) == n


@given(st.dates(D(2000, 1, 1), D(2040, 1, 1)), st.integers(0, 2000))
def test_measure_months_is_whole_months_or_one_more(start, days):
    end = start + dt.timedelta(days=days)
    w, m = whole_months(start, end), measure_months(start, end)
    assert m in (w, w + 1)
    assert add_months(start, w) <= end + dt.timedelta(days=1) < add_months(start, w + 1)
