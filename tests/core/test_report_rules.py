"""Rules of the common indicators that do not need a database: the age reference date."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.reports.indicators import reference_dates
from tremplin.types import Period

PERIOD = Period.year(2024)


@st.composite
def stays(draw):
    """Stays of a few households overlapping 2024, some open, in a random row order."""
    rows = []
    for household in range(1, draw(st.integers(1, 4)) + 1):
        for _ in range(draw(st.integers(1, 3))):
            entry = draw(st.dates(dt.date(2022, 1, 1), dt.date(2024, 12, 31)))
            first = max(entry, PERIOD.start)
            stay = draw(st.none() | st.integers(0, 500))
            exit_ = None if stay is None else first + dt.timedelta(days=stay)
            rows.append({"household": household, "entry_date": entry, "exit_date": exit_})
    return rows


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(stays(), st.randoms())
def test_age_reference_does_not_depend_on_row_order(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)
    got = reference_dates(PERIOD, shuffled)
    assert got == reference_dates(PERIOD, list(reversed(rows)))
    for household, day in got.items():
        own = [r for r in rows if r["household"] == household]
        if any(r["exit_date"] is None or r["exit_date"] >= PERIOD.end for r in own):
            assert day == PERIOD.end  # still accompanied at the end of the year
        else:
            assert day == max(r["exit_date"] for r in own)  # the last exit of the year


def test_two_stays_in_the_year_take_the_open_one():
    rows = [
        {"household": 1, "entry_date": dt.date(2024, 6, 1), "exit_date": None},
        {"household": 1, "entry_date": dt.date(2023, 1, 1), "exit_date": dt.date(2024, 2, 1)},
    ]
    assert reference_dates(PERIOD, rows) == {1: PERIOD.end}
    assert reference_dates(PERIOD, rows[::-1]) == {1: PERIOD.end}
