"""Builders for the youth IML tests (through the core's services, as the pages do)."""

from __future__ import annotations

from tests.plugins.housing.helpers import entry_values
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None)


async def young(host, birth: str | None = "2003-05-01", name: str = "JEUNE Enzo", **data):
    """A household whose reference person is born on ``birth``, oriented to the youth IML:
    (household id, enrolment id)."""
    person = {"first_name": name.split()[-1], "last_name": name.split()[0]}
    if birth:
        person["birth_date"] = birth
    household_id = await hh.create_household(ACTOR, {"name": name}, person)
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_youth",
        {"referral_date": "2024-01-10", "prescriber": "mission_locale", **data},
    )
    return household_id, enrolment_id


async def move(host, enrolment_id: int, key: str, **values) -> str:
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def admitted(host, **data) -> tuple[int, int]:
    """Admitted, not yet in a dwelling: (household id, enrolment id)."""
    household_id, enrolment_id = await young(host, siao_validation_date="2024-01-11", **data)
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    return household_id, enrolment_id


async def housed(
    host, entry: str = "2024-02-01", rent: str = "400", charges: str = "50", **data
) -> tuple[int, int]:
    """Entered (the entry opens the occupancy of a new dwelling with these rent terms)."""
    household_id, enrolment_id = await admitted(host, **data)
    dwelling = await entry_values("iml_youth", rent=rent, charges=charges)
    await move(host, enrolment_id, "enter", entry_date=entry, **dwelling)
    return household_id, enrolment_id
