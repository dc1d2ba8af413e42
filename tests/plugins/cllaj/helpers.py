"""Builders for the CLLAJ tests (through the core's services, as the pages do)."""

from __future__ import annotations

import io
import re

import pypdf

from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None)
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )


async def young(
    host,
    programme: str,
    birth: str | None = "2003-05-01",
    name: str = "JEUNE Enzo",
    referral: str = "2024-01-10",
    **data,
):
    """A household whose reference person is born on ``birth``, oriented to ``programme``:
    (household id, enrolment id)."""
    person = {"first_name": name.split()[-1], "last_name": name.split()[0]}
    if birth:
        person["birth_date"] = birth
    household_id = await hh.create_household(ACTOR, {"name": name}, person)
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        programme,
        {"referral_date": referral, "prescriber": "mission_locale", **data},
    )
    return household_id, enrolment_id


async def move(host, enrolment_id: int, key: str, **values) -> str:
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def state_of(enrolment_id: int) -> str:
    return (await Enrolment.select(Enrolment.state).where(Enrolment.id == enrolment_id).first())[
        "state"
    ]
