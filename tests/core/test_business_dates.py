"""Timeline dates are business dates; "today" is the association's (Europe/Paris by default)."""

from __future__ import annotations

import datetime as dt

import pytest

from tremplin.config import ConfigError, load_settings
from tremplin.models import Membership, TimelineEvent
from tremplin.services import clock
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(None)
LATE = dt.datetime(2024, 1, 15, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 16th in Paris


@pytest.fixture
def late_evening(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: LATE)
    yield
    clock.set_time_zone("Europe/Paris")


def test_today_is_the_associations_day(late_evening):
    assert clock.today() == dt.date(2024, 1, 16)
    clock.set_time_zone("America/Cayenne")  # UTC-3: still the 15th
    assert clock.today() == dt.date(2024, 1, 15)
    with pytest.raises(ValueError, match="fuseau horaire inconnu"):
        clock.set_time_zone("Mars/Olympus")


def test_the_time_zone_setting_is_checked(tmp_path):
    assert load_settings(tmp_path / "none.toml", {}).time_zone == "Europe/Paris"
    settings = load_settings(tmp_path / "none.toml", {"TREMPLIN_TIME_ZONE": "Indian/Reunion"})
    assert settings.time_zone == "Indian/Reunion"
    with pytest.raises(ConfigError, match="time_zone"):
        load_settings(tmp_path / "none.toml", {"TREMPLIN_TIME_ZONE": "Paris"})


async def test_a_household_created_after_23h_utc_and_its_second_member_share_the_day(
    database, late_evening
):
    household_id = await hh.create_household(
        ACTOR, {"name": "MINUIT Lou"}, {"first_name": "Lou", "last_name": "Minuit"}
    )
    await hh.add_member(
        ACTOR,
        household_id,
        {
            "first_name": "Noé",
            "last_name": "Minuit",
            "relation": "child",
            "start_date": clock.today().isoformat(),
        },
    )
    starts = await Membership.select(Membership.start_date).where(
        Membership.household == household_id
    )
    assert {r["start_date"] for r in starts} == {dt.date(2024, 1, 16)}


async def test_a_transition_is_dated_by_its_business_date(database, host):
    household_id = await hh.create_household(ACTOR, {"name": "DATÉ Paul"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao", "siao_validation_date": "2024-01-12"},
    )
    await enr.apply_transition(
        host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-02-03"}, 1
    )
    events = (
        await TimelineEvent.select(TimelineEvent.occurred_at, TimelineEvent.created_at)
        .where((TimelineEvent.household == household_id) & (TimelineEvent.kind == "state_change"))
        .order_by(TimelineEvent.id)
    )
    referral, admission = events
    assert clock.local_date(referral["occurred_at"]) == dt.date(2024, 1, 10)
    assert clock.local_date(admission["occurred_at"]) == dt.date(2024, 2, 3)
    # The click time is kept as the record's creation time.
    assert abs(admission["created_at"] - clock.now()) < dt.timedelta(minutes=5)
