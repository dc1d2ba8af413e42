"""Builders for the IML-mandate tests, through the core's services as the pages use them."""

from __future__ import annotations

from tests.plugins.housing.helpers import entry_values
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None)


async def household(name: str = "MANDAT Foyer", members: int = 1) -> int:
    person = {"first_name": "Alex", "last_name": name.split()[0], "birth_date": "1985-04-02"}
    return await hh.create_household(ACTOR, {"name": name}, person)


async def referral(
    host,
    programme: str = "iml_mandate",
    name: str = "MANDAT Foyer",
    referral_date: str = "2024-01-05",
    **data,
) -> tuple[int, int]:
    household_id = await household(name)
    prescriber = "siao" if programme == "iml_mandate" else "agency"
    if programme == "housing_support":
        data.setdefault("measure_kind", "simple")
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        programme,
        {"referral_date": referral_date, "prescriber": prescriber, **data},
    )
    return household_id, enrolment_id


async def move(host, enrolment_id: int, key: str, **values) -> str:
    """Apply a transition. The lease (« enter ») asks for the dwelling and its rent: unless
    the test names one, a new free dwelling of the programme at 400 € + 50 €."""
    if key == "enter" and "dwelling" not in values:
        programme = (
            await Enrolment.select(Enrolment.programme).where(Enrolment.id == enrolment_id).first()
        )["programme"]
        values = {**await entry_values(programme), **values}
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def started(host, start: str = "2024-01-15", **data) -> tuple[int, int]:
    """An IML-mandate enrolment in pre-entry support since ``start``."""
    household_id, enrolment_id = await referral(host, **data)
    await move(host, enrolment_id, "start", decision_date=start)
    return household_id, enrolment_id


async def housed(
    host, start: str = "2024-01-15", lease: str = "2024-03-01", ddets: str = "2024-02-10", **data
) -> tuple[int, int]:
    """Started, DDETS agreement recorded, lease and adherence contract signed on ``lease``."""
    household_id, enrolment_id = await started(host, start, ddets_agreement_date=ddets, **data)
    await move(host, enrolment_id, "enter", entry_date=lease, adherence_contract_date=lease)
    return household_id, enrolment_id


async def data_of(enrolment_id: int) -> dict:
    row = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )
    return row["data"]
