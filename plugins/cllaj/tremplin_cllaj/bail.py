"""The supported lease's tripartite agreement (*convention tripartite du bail accompagné*)
between the young person, the landlord (public or private) and the association, as a PDF
compiled with Typst, and the enrolment panel that links to it.

The template ships as ``templates/cllaj/convention_bail.typ``; an association overrides it
by placing its own file at ``<TREMPLIN_TEMPLATES_DIR>/cllaj/convention_bail.typ``. The data
reaches Typst as JSON in ``sys.inputs.data``; every value is a string inserted as text, so
markup typed in a name prints as is.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from tremplin.api import (
    CONFIDENTIAL_MASK,
    Enrolments,
    EnrolmentView,
    Field,
    Memberships,
    actor,
    app_context,
    audit,
    audit_confidential,
    check_household,
    enrolment_for_route,
    requires,
    today,
)
from tremplin_cllaj.rules import (
    BAIL,
    BAIL_PRESENCE_MONTHS,
    LANDLORD_KINDS,
    SLUG,
    bail_presence_end,
    label,
)

SHIPPED = Path(__file__).parent / "templates" / SLUG
TEMPLATE = "convention_bail.typ"


def _fr(day: dt.date | str | None) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day) if day else None
    return day.strftime("%d/%m/%Y") if day else ""


def template_path(templates_dir: Path | None, name: str = TEMPLATE) -> Path:
    """The association's override of ``name`` when it exists, else the shipped template."""
    if templates_dir is not None:
        custom = Path(templates_dir) / SLUG / name
        if custom.is_file():
            return custom
    return SHIPPED / name


def compile_typst(template: Path, data: dict[str, Any]) -> bytes:
    import typst

    return typst.compile(
        str(template),
        root=str(template.parent),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
        timestamp=0,
    )


async def young_person(household_id: int) -> dict[str, Any]:
    row = (
        await Memberships.select(
            Memberships.person.first_name.as_alias("first"),
            Memberships.person.last_name.as_alias("last"),
            Memberships.person.birth_date.as_alias("birth"),
        )
        .where(
            (Memberships.household == household_id)
            & (Memberships.relation == "reference")
            & Memberships.end_date.is_null()
        )
        .first()
    )
    return row or {"first": "", "last": "", "birth": None}


async def convention_data(enrolment_id: int, association: str) -> dict[str, Any]:
    """Everything the agreement prints, as strings."""
    row = (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.household,
            Enrolments.entry_date,
            Enrolments.data,
            Enrolments.referent.full_name.as_alias("referent_name"),
        )
        .where((Enrolments.id == enrolment_id) & (Enrolments.programme == BAIL))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise LookupError(enrolment_id)
    data = row["data"] or {}
    person = await young_person(row["household"])
    entry = row["entry_date"]
    rent = data.get("rent")
    return {
        "association": association,
        "young_person": f"{person['first']} {person['last']}".strip(),
        "birth_date": _fr(person["birth"]),
        "landlord": data.get("landlord_name") or "",
        "landlord_kind": label(LANDLORD_KINDS, data.get("landlord_kind")),
        "landlord_address": data.get("landlord_address") or "",
        "dwelling_address": data.get("dwelling_address") or "",
        "rent": Field("rent", "", kind="money").label_of(rent) if rent is not None else "",
        "entry_date": _fr(entry),
        "presence_end": _fr(bail_presence_end(entry)) if entry else "",
        "presence_months": str(BAIL_PRESENCE_MONTHS),
        "signed_on": _fr(data.get("agreement_signed_on")),
        "referent": row["referent_name"] or "",
        "issued_on": _fr(today()),
    }


@get("/cllaj/enrolments/{enrolment_id:int}/convention", guards=[requires("social")])
async def convention_pdf(request: Request, enrolment_id: FromPath[int]) -> Response:
    """The tripartite agreement, ready to sign by the three parties."""
    row = await enrolment_for_route(request, enrolment_id, BAIL)
    access = await check_household(request, row["household"])
    settings = app_context(request).settings
    data = await convention_data(enrolment_id, settings.association_name)
    if data["dwelling_address"] and not access.contacts:
        # The young person's address is the household's whereabouts: the access policy's
        # rule for confidential contact details applies to it.
        data["dwelling_address"] = CONFIDENTIAL_MASK
    pdf = compile_typst(template_path(settings.templates_dir), data)
    a = actor(request)
    await audit("export", "enrolment", enrolment_id, user_id=a.user_id, fields=["convention"])
    if data["dwelling_address"] and data["dwelling_address"] != CONFIDENTIAL_MASK:
        await audit_confidential(request, access, "convention")
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": "attachment; "
            f'filename="convention-bail-accompagne-{enrolment_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    entry = enrolment.entry_date
    data = enrolment.data
    return {
        "landlord": data.get("landlord_name") or "",
        "landlord_kind": label(LANDLORD_KINDS, data.get("landlord_kind")),
        "presence_end": bail_presence_end(entry) if entry else None,
        "printable": enrolment.state in ("admitted", "housed", "exited")
        and bool(data.get("landlord_name")),
    }
