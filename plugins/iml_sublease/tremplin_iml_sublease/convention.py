"""The occupancy agreement (*convention d'occupation*) as a PDF, compiled with Typst.

The template ships as ``templates/iml_sublease/convention.typ``; an installation overrides it
by placing its own file at ``<templates_dir>/iml_sublease/convention.typ`` (the
``TREMPLIN_TEMPLATES_DIR`` setting, read through :func:`tremplin.api.app_context`). The data
reaches Typst as JSON in ``sys.inputs.data`` and every value is a string inserted as text,
so markup typed in a name (``#``, ``$``, ``*``…) prints as is.
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
    HouseholdAccess,
    Households,
    Memberships,
    actor,
    app_context,
    audit,
    audit_confidential,
    check_household,
    current_user,
    enrolment_for_route,
    requires,
    today,
)
from tremplin_housing.api import (
    MASKED_ADDRESS,
    agreement_end,
    agreement_renewals,
    current_occupancy,
    dwelling_address,
)
from tremplin_iml_sublease.workflow import AGREEMENT, KEY

SHIPPED = Path(__file__).parent / "templates" / KEY


def _fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def template_path(templates_dir: Path | None, name: str) -> Path:
    """The association's override of ``name`` when it exists, else the shipped template."""
    if templates_dir is not None:
        custom = Path(templates_dir) / KEY / name
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


async def household_people(household_id: int) -> tuple[str, list[str]]:
    """The reference person's name and the names of the other current members."""
    rows = (
        await Memberships.select(
            Memberships.relation,
            Memberships.person.first_name.as_alias("first"),
            Memberships.person.last_name.as_alias("last"),
        )
        .where((Memberships.household == household_id) & Memberships.end_date.is_null())
        .order_by(Memberships.id)
    )
    reference = next(
        (f"{r['first']} {r['last']}" for r in rows if r["relation"] == "reference"), ""
    )
    others = [f"{r['first']} {r['last']}" for r in rows if r["relation"] != "reference"]
    return reference, others


async def convention_data(
    enrolment_id: int,
    association: str,
    access: HouseholdAccess | None = None,
    user: Any = None,
    connection: Any = None,
) -> dict[str, Any]:
    """Everything the convention prints, as strings, as the access policy lets ``user``
    see it: the address is the dwelling's (the household's previous one is no business of
    the agreement), masked when the household's contact details are confidential to this
    user."""
    row = (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.household,
            Enrolments.state,
            Enrolments.entry_date,
            Enrolments.referent.full_name.as_alias("referent_name"),
        )
        .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
        .first()
    )
    if row is None:
        raise LookupError(enrolment_id)
    household = (
        await Households.select(Households.name, Households.reference)
        .where(Households.id == row["household"])
        .first()
    )
    assert household is not None  # the enrolment's household (foreign key)
    reference, others = await household_people(row["household"])
    renewals = (await agreement_renewals([enrolment_id]))[enrolment_id]
    entry = row["entry_date"]
    if entry is not None:
        # The current term: from the end of the previous one (housing's agreement) to its own.
        start = agreement_end(entry, AGREEMENT, renewals[:-1]) if renewals else entry
        end = agreement_end(entry, AGREEMENT, renewals)
    else:
        start = end = None
    occupancy = await current_occupancy(row["household"], start or today())
    address = await dwelling_address(occupancy.dwelling_id, user, connection) if occupancy else ""
    if address == MASKED_ADDRESS or (address and access is not None and not access.contacts):
        address = CONFIDENTIAL_MASK
    return {
        "association": association,
        "household": household["name"],
        "household_reference": household["reference"],
        "address": address,
        "reference_person": reference,
        "members": others,
        "referent": row["referent_name"] or "",
        "dwelling": occupancy.dwelling_reference if occupancy else "",
        "entry_date": _fr(entry),
        "term_start": _fr(start),
        "term_end": _fr(end),
        "renewals": str(len(renewals)),
        "term_months": str(AGREEMENT.term_months),
        "issued_on": _fr(today()),
    }


@get(f"/{KEY}/enrolments/{{enrolment_id:int}}/convention", guards=[requires("social")])
async def convention_pdf(request: Request, enrolment_id: FromPath[int]) -> Response:
    """The occupancy agreement of the current term, ready to sign."""
    row = await enrolment_for_route(request, enrolment_id, KEY)
    access = await check_household(request, row["household"])
    settings = app_context(request).settings
    data = await convention_data(
        enrolment_id, settings.association_name, access, current_user(request), request
    )
    pdf = compile_typst(template_path(settings.templates_dir, "convention.typ"), data)
    a = actor(request)
    await audit("export", "enrolment", enrolment_id, user_id=a.user_id, fields=["convention"])
    if data["address"] and data["address"] != CONFIDENTIAL_MASK:
        await audit_confidential(request, access, "convention")
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="convention-{enrolment_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )
