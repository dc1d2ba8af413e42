"""Builders for the boarding-house tests, through the services the pages use."""

from __future__ import annotations

import datetime as dt

from tests.plugins.housing.helpers import entry_values
from tremplin.models import Enrolment, Membership
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_boarding_house import houses

ACTOR = hh.Actor(user_id=None)
KEY = "boarding_house"
#: The monthly rent (redevance) asked at the entry, as typed.
RENT = "380"


async def house(name: str, opened_on: str = "2010-01-01", units=("T1",)) -> tuple[int, list[int]]:
    """A house and its units (labelled 1, 2…), each tied to a dwelling of the housing stock
    that carries its rent account: (house id, unit ids)."""
    house_id = await houses.create_house(
        ACTOR, {"name": name, "opened_on": opened_on, "address": f"rue de {name}"}
    )
    unit_ids = []
    for i, t in enumerate(units):
        dwelling = (await entry_values(KEY))["dwelling"]
        unit_ids.append(
            await houses.add_unit(
                ACTOR, house_id, {"label": str(i + 1), "typology": t, "dwelling_id": dwelling}
            )
        )
    return house_id, unit_ids


async def move(host, enrolment_id: int, key: str, **values) -> str:
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def household(
    name: str,
    born: str | None = "1970-01-01",
    composition: str = "isolated_man",
    children: tuple[str, ...] = (),
) -> int:
    household_id = await hh.create_household(
        ACTOR,
        {"name": name, "composition": composition},
        {
            "first_name": name.split()[-1],
            "last_name": name.split()[0],
            "birth_date": born or "",
            "sex": "M",
        },
    )
    for i, birth in enumerate(children):
        await hh.add_member(
            ACTOR,
            household_id,
            {
                "relation": "child",
                "start_date": "2010-01-01",
                "first_name": f"Enfant{i}",
                "last_name": name.split()[0],
                "birth_date": birth,
            },
        )
    # The reference person joined on the day the household was created (today): back-date it.
    await Membership.update({Membership.start_date: dt.date(2010, 1, 1)}).where(
        Membership.household == household_id
    )
    return household_id


async def enrolled(host, household_id: int, siao: str | None = "2005-01-02") -> int:
    data = {"referral_date": "2005-01-01", "prescriber": "siao"}
    if siao:
        data["siao_orientation_date"] = siao
    return await enr.create_enrolment(host, ACTOR, household_id, KEY, data)


async def resident(
    host,
    name: str,
    unit: int,
    entry: str,
    exit: str | None = None,
    destination: str = "public_housing",
    **household_kw,
) -> int:
    """A household admitted, entered in ``unit``, and gone if ``exit``: its id."""
    household_id = await household(name, **household_kw)
    enrolment_id = await enrolled(host, household_id)
    await move(
        host, enrolment_id, "accept", commission_date="2005-01-05", decision_date="2005-01-06"
    )
    await move(host, enrolment_id, "enter", entry_date=entry, unit=str(unit), rent=RENT)
    if exit:
        await move(host, enrolment_id, "exit", exit_date=exit, exit_destination=destination)
    return household_id
