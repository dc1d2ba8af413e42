"""Pages of the GLA: the tenants of the stock and their follow-up, the monthly arrears
commissions, the causes of arrears (the administrator extends the list)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from tremplin.api import FormErrors, Households, NotFound, actor, form_dict, render, today
from tremplin_rental_agency import gla, housing_link
from tremplin_rental_agency.common import VERSION_MISSING, RowId, posted_int
from tremplin_rental_agency.routes import ADMIN, STAFF, audit_read, ensure_enabled
from tremplin_rental_agency.tables import ArrearsCase, ArrearsCommission
from tremplin_rental_agency.vocab import OUTCOME_LABELS


async def _tenants() -> list[dict[str, Any]]:
    occupancies = await housing_link.tenants_on(today())
    ids = sorted({o.household_id for o in occupancies})
    names = {
        r["id"]: r
        for r in await Households.select(
            Households.id, Households.name, Households.reference
        ).where(Households.id.is_in(ids or [0]) & Households.archived_at.is_null())
    }
    references = {o.household_id: o.dwelling_reference for o in occupancies}
    return sorted(
        ({**names[h], "dwelling": references[h]} for h in ids if h in names),
        key=lambda r: r["name"],
    )


async def _gla_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    tenants = await _tenants()
    await audit_read(request, [t["id"] for t in tenants], "rental_agency_gla")
    commissions = (
        await ArrearsCommission.select()
        .order_by(ArrearsCommission.held_on, ascending=False)
        .limit(60)
    )
    return render(
        request,
        "rental_agency/gla.html",
        {
            "tenants": tenants,
            "fields": gla.GLA_FIELDS,
            "commissions": commissions,
            "causes": await gla.causes(),
            "values": values,
            "errors": errors,
            "today": today().isoformat(),
        },
        status=status,
    )


@get("/rental_agency/gla", guards=[STAFF])
async def gla_page(request: Request) -> Template:
    """The tenants of the agency's stock, the GLA form, the arrears commissions."""
    ensure_enabled(request)
    return await _gla_page(request, {"on_date": today().isoformat()}, {})


@post("/rental_agency/gla", guards=[STAFF])
async def gla_record(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        household_id = posted_int(raw, "household", "choisissez un locataire")
        await gla.record_gla(actor(request), household_id, raw)
    except (FormErrors, NotFound) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else {"household": "ménage inconnu"}
        return await _gla_page(request, raw, errors, status=422)
    return Redirect("/rental_agency/gla", status_code=303)


@post("/rental_agency/commissions", guards=[STAFF])
async def commission_create(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        commission_id = await gla.open_commission(actor(request), raw)
    except FormErrors as exc:
        return await _gla_page(request, raw, exc.errors, status=422)
    return Redirect(f"/rental_agency/commissions/{commission_id}", status_code=303)


async def _commission_page(
    request: Request, commission_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    commission = (
        await ArrearsCommission.select().where(ArrearsCommission.id == commission_id).first()
    )
    if commission is None:
        raise NotFound(commission_id)
    cases = await gla.commission_cases(commission_id)
    await audit_read(request, [c["household"] for c in cases], "rental_agency_arrears")
    return render(
        request,
        "rental_agency/commission.html",
        {
            "commission": commission,
            "cases": cases,
            "fields": await gla.case_fields(),
            "outcomes": OUTCOME_LABELS,
            "errors": errors or {},
        },
        status=status,
    )


@get("/rental_agency/commissions/{commission_id:int}", guards=[STAFF])
async def commission_page(request: Request, commission_id: RowId) -> Template:
    """An arrears commission: every situation over the threshold, its cause, decision, outcome."""
    ensure_enabled(request)
    return await _commission_page(request, commission_id)


@post("/rental_agency/cases/{case_id:int}", guards=[STAFF])
async def case_save(request: Request, case_id: RowId) -> Response:
    ensure_enabled(request)
    row = await ArrearsCase.select(ArrearsCase.commission).where(ArrearsCase.id == case_id).first()
    if row is None:
        raise NotFound(case_id)
    raw = await form_dict(request)
    try:
        version = posted_int(raw, "version", VERSION_MISSING, "_version")
        await gla.record_case(actor(request), case_id, raw, version)
    except FormErrors as exc:
        errors = {f"{case_id}-{k}": v for k, v in exc.errors.items()}
        errors["_case"] = "Situation non enregistrée : " + "; ".join(exc.errors.values())
        return await _commission_page(request, row["commission"], errors, status=422)
    return Redirect(f"/rental_agency/commissions/{row['commission']}", status_code=303)


@post("/rental_agency/causes", guards=[ADMIN])
async def cause_add(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        await gla.add_cause(actor(request), raw)
    except FormErrors as exc:
        return await _gla_page(request, raw, exc.errors, status=422)
    return Redirect("/rental_agency/gla", status_code=303)


ROUTES = (gla_page, gla_record, commission_create, commission_page, case_save, cause_add)
