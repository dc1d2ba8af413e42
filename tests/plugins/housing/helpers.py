"""Builders for the housing tests (through the plugin's services, as the pages do)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import Actor
from tremplin.services import households as hh
from tremplin_housing import occupancy as occ
from tremplin_housing import stock

ACTOR = Actor(user_id=None)
PROGRAMMES = {"iml_sublease": "IML sous-location"}


async def owner(name: str = "SCI Les Tilleuls") -> int:
    return await stock.create_owner(ACTOR, {"kind": "company", "name": name})


async def dwelling(owner_id: int | None = None, **values) -> int:
    form = {
        "owner": str(owner_id or await owner()),
        "address": "3 rue des Lilas",
        "postcode": "30100",
        "city": "Alès",
        "typology": "T2",
        "stock": "private",
        "status": "available",
        "programme": "iml_sublease",
        "dpe_class": "D",
        "dpe_date": "2022-05-01",
        **values,
    }
    return await stock.create_dwelling(ACTOR, form, PROGRAMMES)


async def household(name: str = "MARTIN Éléonore") -> int:
    return await hh.create_household(ACTOR, {"name": name})


async def occupancy(
    dwelling_id: int,
    household_id: int,
    start: str = "2024-01-01",
    rent: str = "400",
    charges: str = "50",
    benefit: str = "0",
    **extra,
) -> int:
    return await occ.create_occupancy(
        ACTOR,
        dwelling_id,
        {
            "household": str(household_id),
            "kind": "agreement",
            "programme": "iml_sublease",
            "start_date": start,
            "rent": rent,
            "charges": charges,
            "benefit": benefit,
            **extra,
        },
        PROGRAMMES,
    )


async def housed(start: str = "2024-01-01", **terms) -> tuple[int, int, int]:
    """A household in a new dwelling: (dwelling, household, occupancy) ids."""
    dwelling_id = await dwelling()
    household_id = await household()
    return dwelling_id, household_id, await occupancy(dwelling_id, household_id, start, **terms)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


async def entry_values(programme: str = "iml_sublease", rent: str = "400", **values) -> dict:
    """The housing fields of a programme's « Entrée dans le logement »: a new free dwelling
    of ``programme`` and its rent terms (form strings, as posted)."""
    form = {
        "owner": str(await owner()),
        "address": "3 rue des Lilas",
        "postcode": "30100",
        "city": "Alès",
        "typology": "T2",
        "stock": "private",
        "status": "available",
        "programme": programme,
        "dpe_class": "D",
        "dpe_date": "2022-05-01",
    }
    dwelling_id = await stock.create_dwelling(ACTOR, form, {programme: programme})
    return {"dwelling": str(dwelling_id), "rent": rent, "charges": "50", **values}


async def renew(host, enrolment_id: int, **values) -> dt.date:
    """Renew the enrolment's agreement through its workflow (housing's
    ``renewal_transition``, key ``renew``); returns the agreement's new end."""
    from tremplin.models import Enrolment
    from tremplin.services import enrolments as enr
    from tremplin_housing.tables import AgreementRenewal

    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    await enr.apply_transition(host, ACTOR, enrolment_id, "renew", values, version)
    last = (
        await AgreementRenewal.select(AgreementRenewal.until)
        .where(AgreementRenewal.enrolment == enrolment_id)
        .order_by(AgreementRenewal.id, ascending=False)
        .first()
    )
    return last["until"]
