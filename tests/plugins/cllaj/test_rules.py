"""Pure rules of the CLLAJ (no database)."""

import datetime as dt

import pytest

from tremplin_cllaj.rules import (
    age_bracket,
    age_refusal,
    bail_presence_end,
    next_committee,
    percent,
    sliding_due,
)
from tremplin_cllaj.workflow_jappart import AGREEMENT
from tremplin_housing.api import agreement_end


@pytest.mark.parametrize(
    "age, bracket",
    [
        (None, "unknown"),
        (16, "under_18"),
        (17, "under_18"),
        (18, "18_25"),
        (25, "18_25"),
        (26, "26_30"),
        (30, "26_30"),
        (31, "over_30"),
    ],
)
def test_age_brackets(age, bracket):
    assert age_bracket(age) == bracket


def test_age_refusal_windows():
    on = dt.date(2024, 6, 1)
    assert age_refusal(dt.date(2006, 6, 1), on, 18, 25, "J'APPART") is None  # 18 today
    assert "a 17 ans" in age_refusal(dt.date(2006, 6, 2), on, 18, 25, "J'APPART")
    assert age_refusal(dt.date(1998, 6, 2), on, 18, 25, "J'APPART") is None  # 25
    assert "de 18 à 25 ans" in age_refusal(dt.date(1998, 6, 1), on, 18, 25, "J'APPART")
    assert age_refusal(dt.date(1994, 6, 2), on, None, 29, "Le bail") is None  # 29
    assert "de moins de 30 ans" in age_refusal(dt.date(1994, 6, 1), on, None, 29, "Le bail")
    assert "date de naissance" in age_refusal(None, on, None, 29, "Le bail")


def test_durations():
    assert bail_presence_end(dt.date(2024, 3, 31)) == dt.date(2024, 9, 30)
    assert agreement_end(dt.date(2024, 2, 29), AGREEMENT, []) == dt.date(2025, 2, 28)
    derogation = [{"until": dt.date(2025, 5, 1)}]
    assert agreement_end(dt.date(2024, 2, 29), AGREEMENT, derogation) == dt.date(2025, 5, 1)
    assert sliding_due(dt.date(2024, 3, 1)) == dt.date(2025, 3, 1)
    assert next_committee(dt.date(2024, 12, 31)) == dt.date(2025, 2, 28)
    assert next_committee(None) is None


def test_percent():
    assert percent(35, 52) == 67.3 and percent(1, 0) is None
