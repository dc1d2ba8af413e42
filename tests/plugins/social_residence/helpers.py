"""Builders for the social-residence tests, through the services the pages use."""

from __future__ import annotations

import datetime as dt

from tests.plugins.housing.helpers import entry_values
from tremplin.models import Enrolment, Membership
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_social_residence import units

ACTOR = hh.Actor(user_id=None)
KEY = "social_residence"
#: The monthly rent asked at the entry, as typed.
RENT = "420"


async def unit(label: str) -> int:
    """A unit of the residence tied to a dwelling of the housing stock (its rent account)."""
    dwelling = (await entry_values(KEY))["dwelling"]
    return await units.add_unit(ACTOR, {"label": label, "typology": "T1", "dwelling_id": dwelling})


async def move(host, enrolment_id: int, key: str, **values) -> str:
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def enrolled(
    host, name: str, born: str = "1980-01-01", composition: str = "isolated_man"
) -> int:
    """A household oriented to the residence: the enrolment id."""
    household_id = await hh.create_household(
        ACTOR,
        {"name": name, "composition": composition},
        {
            "first_name": name.split()[-1],
            "last_name": name.split()[0],
            "birth_date": born,
            "sex": "M" if composition == "isolated_man" else "F",
        },
    )
    await Membership.update({Membership.start_date: dt.date(2010, 1, 1)}).where(
        Membership.household == household_id
    )
    return await enr.create_enrolment(
        host, ACTOR, household_id, KEY, {"referral_date": "2015-01-01", "prescriber": "siao"}
    )


async def resident(
    host,
    name: str,
    unit_id: int,
    entry: str,
    exit: str | None = None,
    destination: str = "iml_support",
    derogation: str | None = None,
    **household_kw,
) -> int:
    """A resident entered in ``unit_id`` (with a derogation until ``derogation``, and gone
    if ``exit``): the enrolment id."""
    enrolment_id = await enrolled(host, name, **household_kw)
    await move(host, enrolment_id, "accept", decision_date="2015-01-10")
    await move(host, enrolment_id, "enter", entry_date=entry, unit=str(unit_id), rent=RENT)
    if derogation:
        await units.record_derogation(
            ACTOR,
            enrolment_id,
            {"decided_on": entry, "until": derogation, "reason": "Attente d'un logement adapté"},
        )
    if exit:
        await move(host, enrolment_id, "exit", exit_date=exit, exit_destination=destination)
    return enrolment_id
