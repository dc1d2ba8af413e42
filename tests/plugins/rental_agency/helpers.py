"""Builders for the rental-agency tests, through the services the pages use."""

from __future__ import annotations

import datetime as dt

from tremplin.api import Actor
from tremplin.services import households as hh
from tremplin_housing import stock
from tremplin_rental_agency import committee, demands

ACTOR = Actor(user_id=None)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


async def household(name: str = "DUPONT Léa", children: int = 0, birth: str = "1990-03-01") -> int:
    person = {"first_name": "Léa", "last_name": name.split()[0], "birth_date": birth}
    household_id = await hh.create_household(ACTOR, {"name": name}, person)
    for n in range(children):
        await hh.add_member(
            ACTOR,
            household_id,
            {
                "first_name": f"Enfant{n}",
                "last_name": name.split()[0],
                "birth_date": "2015-01-01",
                "relation": "child",
                "start_date": "2020-01-01",
            },
        )
    return household_id


async def demand(household_id: int | None = None, **data) -> int:
    form = {
        "registered_on": "2024-01-10",
        "situation": "third_party",
        "problems": ["hosted"],
        "monthly_resources": "900",
        "wanted_typology": "T2",
        "wanted_sector": "Saint-Étienne",
        "max_rent": "550",
        **data,
    }
    return await demands.create_demand(ACTOR, household_id or await household(), form)


async def received(household_id: int | None = None, on: str = "2024-01-20", **data) -> int:
    demand_id = await demand(household_id, **data)
    await demands.add_appointment(ACTOR, demand_id, {"on_date": on, "attended": "on"})
    return demand_id


async def session(on: str = "2024-02-05", partners: list[str] | None = None) -> int:
    return await committee.create_session(ACTOR, {"held_on": on}, partners or [])


async def accepted(household_id: int | None = None, on: str = "2024-02-05", **data) -> int:
    demand_id = await received(household_id, **data)
    session_id = await session(on)
    await committee.present(ACTOR, session_id, demand_id)
    await committee.decide(ACTOR, session_id, demand_id, {"decision": "accepted"}, [])
    return demand_id


async def owner(name: str = "M. Propriétaire") -> int:
    return await stock.create_owner(ACTOR, {"kind": "private_person", "name": name})


async def dwelling(
    rent: str = "450", charges: str = "50", owner_id: int | None = None, **values
) -> int:
    form = {
        "owner": str(owner_id or await owner()),
        "address": "12 rue Michelet",
        "postcode": "42000",
        "city": "Saint-Étienne",
        "typology": "T2",
        "stock": "private",
        "status": "available",
        "programme": "",
        "dpe_class": "D",
        **values,
    }
    dwelling_id = await stock.create_dwelling(ACTOR, form, {})
    await stock.add_head_lease(
        ACTOR,
        dwelling_id,
        {"kind": "mandate", "start_date": "2023-06-01", "rent": rent, "charges": charges},
    )
    return dwelling_id
