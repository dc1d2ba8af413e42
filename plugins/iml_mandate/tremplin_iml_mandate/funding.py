"""Funded measures per year: how many measures the State (IML under mandate) or the CAF
(support measures) finance for a year, set by the head of service or an administrator and
compared with the measures used in the report."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from tremplin.api import (
    N_,
    Choice,
    Field,
    FormErrors,
    actor,
    audit,
    now,
    roles,
    transaction,
    validate,
)
from tremplin_iml_mandate.tables import FundedMeasures
from tremplin_iml_mandate.workflow import KEY, SUPPORT_KEY

MANAGERS = roles("head_of_service", "admin")
PROGRAMMES = (
    Choice(KEY, N_("IML en mandat de gestion")),
    Choice(SUPPORT_KEY, N_("Accompagnement social lié au logement")),
)
FUNDING_FIELDS = (
    Field("programme", N_("Programme"), kind="choice", required=True, choices=PROGRAMMES),
    Field("year", N_("Année"), kind="int", required=True, minimum=2000, maximum=2100),
    Field("funded", N_("Mesures financées"), kind="int", required=True, minimum=0, maximum=10_000),
    Field("funder", N_("Financeur"), help=N_("Par exemple : État (DDETS), CAF"), max_length=100),
)


async def funded_measures(programme: str, year: int) -> int | None:
    """The number of measures funded for ``programme`` in ``year`` (``None``: not set)."""
    row = (
        await FundedMeasures.select(FundedMeasures.funded)
        .where((FundedMeasures.programme == programme) & (FundedMeasures.year == year))
        .first()
    )
    return row["funded"] if row else None


async def set_funded(raw: dict[str, Any], user_id: int | None, address: str) -> dict[str, Any]:
    """Create or replace the figure of a programme and year."""
    values = validate(FUNDING_FIELDS, raw)
    async with transaction():
        existing = (
            await FundedMeasures.select(FundedMeasures.id)
            .where(
                (FundedMeasures.programme == values["programme"])
                & (FundedMeasures.year == values["year"])
            )
            .first()
        )
        if existing:
            await FundedMeasures.update(
                {
                    FundedMeasures.funded: values["funded"],
                    FundedMeasures.funder: values["funder"] or "",
                    FundedMeasures.updated_by: user_id,
                    FundedMeasures.updated_at: now(),
                }
            ).where(FundedMeasures.id == existing["id"])
            object_id = existing["id"]
        else:
            rows = await FundedMeasures.insert(
                FundedMeasures(
                    programme=values["programme"],
                    year=values["year"],
                    funded=values["funded"],
                    funder=values["funder"] or "",
                    updated_by=user_id,
                    updated_at=now(),
                )
            ).returning(FundedMeasures.id)
            object_id = rows[0]["id"]
        await audit(
            "update",
            "funded_measures",
            object_id,
            user_id=user_id,
            fields=["funded", "funder"],
            address=address,
        )
    return values


async def _page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    rows = (
        await FundedMeasures.select()
        .order_by(FundedMeasures.year, ascending=False)
        .order_by(FundedMeasures.programme)
    )
    names = {c.value: c.label for c in PROGRAMMES}
    for r in rows:
        r["programme_name"] = names.get(r["programme"], r["programme"])
    return Template(
        f"{KEY}/funding.html",
        status_code=status,
        context={"rows": rows, "fields": FUNDING_FIELDS, "values": values, "errors": errors},
    )


@get(f"/{KEY}/funding", guards=[MANAGERS])
async def funding_page(request: Request) -> Template:
    """The funded measures per year (head of service, administrators)."""
    return await _page({"programme": KEY, "year": str(now().year)}, {})


@post(f"/{KEY}/funding", guards=[MANAGERS])
async def funding_save(request: Request) -> Response:
    raw = {k: v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    try:
        await set_funded(raw, a.user_id, a.address)
    except FormErrors as exc:
        return await _page(raw, exc.errors, status=422)
    return Redirect(f"/{KEY}/funding", status_code=303)
