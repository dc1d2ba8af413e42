"""The read views of tremplin.api query the real core tables on both engines, and refuse
writes there too (nothing reaches the database)."""

from __future__ import annotations

import pytest

from tremplin.api import (
    Enrolments,
    Households,
    Memberships,
    People,
    ReadOnlyError,
    TimelineEvents,
)
from tremplin.models import Enrolment, Household
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_housing.tables import Dwelling, Occupancy

ACTOR = hh.Actor(None)


async def _household(host) -> tuple[int, int]:
    household_id = await hh.create_household(
        ACTOR,
        {"name": "VUE Lina"},
        reference_person={"first_name": "Lina", "last_name": "VUE", "birth_date": "1990-04-02"},
    )
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao"},
    )
    return household_id, enrolment_id


async def test_views_read_join_and_count(database, host):
    household_id, enrolment_id = await _household(host)
    row = (
        await Enrolments.select(
            Enrolments.id, Enrolments.programme, Enrolments.household.name, Enrolments.version
        )
        .where(Enrolments.household == household_id)
        .first()
    )
    assert row == {
        "id": enrolment_id,
        "programme": "iml_sublease",
        "household.name": "VUE Lina",
        "version": 1,
    }
    assert await Households.count().where(Households.id == household_id) == 1
    assert await Households.exists().where(Households.name == "VUE Lina")
    members = await Memberships.select(Memberships.person.first_name).where(
        Memberships.household == household_id
    )
    assert [m["person.first_name"] for m in members] == ["Lina"]
    objects = await Enrolments.objects().where(Enrolments.id == enrolment_id)
    assert [o.programme for o in objects] == ["iml_sublease"]
    assert await TimelineEvents.count().where(TimelineEvents.household == household_id) >= 1


async def test_views_refuse_writes_and_leave_the_rows_alone(database, host):
    household_id, enrolment_id = await _household(host)
    with pytest.raises(ReadOnlyError):
        await Enrolments.update({Enrolments.data: {"x": 1}}).where(Enrolments.id == enrolment_id)
    obj = await Households.objects().where(Households.id == household_id).first()
    obj.name = "CHANGÉ"
    with pytest.raises(ReadOnlyError):
        await obj.save()
    with pytest.raises(ReadOnlyError):
        await People.raw("UPDATE person SET first_name = 'X'")
    with pytest.raises(ReadOnlyError):
        await TimelineEvents.delete(force=True)
    assert (await Household.select(Household.name).where(Household.id == household_id).first())[
        "name"
    ] == "VUE Lina"
    assert (await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first())[
        "version"
    ] == 1


async def test_a_plugin_table_joins_through_its_foreign_key_to_a_view(database, host):
    """Housing's tables reference the read views: joins across them work on both engines."""
    assert Occupancy.household._foreign_key_meta.resolved_references is Households
    rows = await Occupancy.select(Occupancy.household.name, Occupancy.dwelling.reference).where(
        Occupancy.household.name == "nobody"
    )
    assert rows == []
    assert await Dwelling.count() >= 0
