"""A boarding-house resident's occupancy and rent account follow the workflow: the entry
opens them in the unit's dwelling, a change of unit moves them, the exit closes them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.boarding_house.helpers import ACTOR, enrolled, house, household, move
from tremplin.api import FormErrors
from tremplin.models import Enrolment, TimelineEvent
from tremplin_boarding_house import houses
from tremplin_boarding_house.tables import Unit
from tremplin_housing.tables import Dwelling, Occupancy, RentTerms, Vacancy


async def _admitted(host, name: str) -> tuple[int, int]:
    household_id = await household(name)
    enrolment_id = await enrolled(host, household_id)
    await move(
        host, enrolment_id, "accept", commission_date="2005-01-05", decision_date="2005-01-06"
    )
    return household_id, enrolment_id


async def _dwelling(unit_id: int) -> int:
    return (await Unit.select(Unit.dwelling_id).where(Unit.id == unit_id).first())["dwelling_id"]


async def test_entry_move_and_exit_carry_the_occupancy(database, host):
    _, (a1, a2) = await house("Montbrison", units=("T1", "T2"))
    household_id, enrolment_id = await _admitted(host, "RÉSIDENT Paul")
    await move(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(a1), rent="380", charges="20"
    )
    first = await Occupancy.select().where(Occupancy.household == household_id).first()
    assert (first["dwelling"], first["start_date"], first["kind"]) == (
        await _dwelling(a1),
        dt.date(2024, 1, 1),
        "residence",
    )

    await move(host, enrolment_id, "move", moved_on="2024-06-01", unit=str(a2))
    rows = (
        await Occupancy.select().where(Occupancy.household == household_id).order_by(Occupancy.id)
    )
    assert [(r["dwelling"], r["start_date"], r["end_date"]) for r in rows] == [
        (await _dwelling(a1), dt.date(2024, 1, 1), dt.date(2024, 5, 31)),
        (await _dwelling(a2), dt.date(2024, 6, 1), None),
    ]
    assert rows[1]["transferred_from"] == rows[0]["id"] and rows[0]["exit_reason"] == "transfer"
    # The rent follows the resident to the new unit.
    terms = await RentTerms.select(RentTerms.rent_cents, RentTerms.charges_cents).where(
        RentTerms.occupancy == rows[1]["id"]
    )
    assert terms == [{"rent_cents": 38000, "charges_cents": 2000}]
    # The first unit is vacant from the move on.
    vacancy = await Vacancy.select(Vacancy.start_date, Vacancy.end_date).where(
        Vacancy.dwelling == await _dwelling(a1)
    )
    assert vacancy == [{"start_date": dt.date(2024, 6, 1), "end_date": None}]

    await move(host, enrolment_id, "exit", exit_date="2025-02-28", exit_destination="family")
    last = await Occupancy.select(Occupancy.end_date).where(Occupancy.id == rows[1]["id"]).first()
    assert last["end_date"] == dt.date(2025, 2, 28)
    status = await Dwelling.select(Dwelling.status).where(Dwelling.id == await _dwelling(a2))
    assert status == [{"status": "available"}]


async def test_a_unit_without_a_dwelling_writes_nothing(database, host):
    house_id, _ = await house("Saint-Chamond", units=())
    bare = await houses.add_unit(ACTOR, house_id, {"label": "B1", "typology": "T1"})
    household_id, enrolment_id = await _admitted(host, "SANSCOMPTE Léon")
    events = await TimelineEvent.count().where(TimelineEvent.household == household_id)
    with pytest.raises(FormErrors) as refused:
        await move(host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(bare), rent="380")
    assert "n'est relié à aucun logement du parc" in refused.value.errors["unit"]
    row = await Enrolment.select(Enrolment.state, Enrolment.data).where(
        Enrolment.id == enrolment_id
    )
    assert row[0]["state"] == "admitted"
    assert await Occupancy.count().where(Occupancy.household == household_id) == 0
    assert await TimelineEvent.count().where(TimelineEvent.household == household_id) == events
