"""The period filter the lists share (« du », « au »)."""

import datetime as dt

from tremplin.api import period_filter


def test_both_days_read_and_empty_ones_are_none():
    errors: dict[str, str] = {}
    assert period_filter("2024-01-01", "2024-12-31", errors) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    assert period_filter("", "", errors) == (None, None)
    assert errors == {}


def test_unreadable_day_and_end_before_start_are_french_errors():
    errors: dict[str, str] = {}
    assert period_filter("31/12/2024", "2024-01-01xyz", errors) == (None, None)
    assert errors == {"du": "date invalide (jj/mm/aaaa)", "au": "date invalide (jj/mm/aaaa)"}
    errors = {}
    assert period_filter("2024-06-01", "2024-05-31", errors)[0] == dt.date(2024, 6, 1)
    assert errors == {"au": "la fin de la période précède son début"}
