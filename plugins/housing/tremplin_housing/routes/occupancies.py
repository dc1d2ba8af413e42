"""The occupancy page: rent account, payments, revisions, exit, transfer, inventories."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    FormErrors,
    actor,
    app_context,
    check_household,
    current_user,
    form_dict,
    new_form_id,
    redirect_after_write,
    today,
)
from tremplin_housing import aid, letters, plans, receipt
from tremplin_housing import occupancy as occ
from tremplin_housing.access import (
    RENTAL,
    audit_revealed,
    must_be_confidential,
    protect,
    shown_address,
)
from tremplin_housing.aid import applications_of
from tremplin_housing.arrears import steps_of
from tremplin_housing.calc import add_months
from tremplin_housing.common import write_audit
from tremplin_housing.fields import (
    AID_DECISION_FIELDS,
    AID_FIELDS,
    AID_OUTCOMES,
    AID_PAID_FIELDS,
    DEPOSIT_PAID_FIELDS,
    ENTRY_FIELDS,
    EXIT_FIELDS,
    EXIT_REASONS,
    INSURANCE_FIELDS,
    INVENTORY_FIELDS,
    INVENTORY_KINDS,
    LETTER_STEPS,
    MEANS,
    OCCUPANCY_KINDS,
    PLAN_FIELDS,
    REVISION_FIELDS,
    REVISION_REASONS,
    TRANSFER_FIELDS,
    labels,
)
from tremplin_housing.journey import houses_by_unit
from tremplin_housing.ledger import record_entry
from tremplin_housing.photos import (
    attach_photo,
    household_documents,
    inventory_occupancy,
    photos_by_inventory,
)
from tremplin_housing.plans import plans_of
from tremplin_housing.routes.common import page, prefixed, unprefix
from tremplin_housing.tables import DepositInstalment, RentTerms
from tremplin_housing.views import get_dwelling, occupancy_details

FORMS = {
    "entry": ENTRY_FIELDS,
    "revision": REVISION_FIELDS,
    "exit": EXIT_FIELDS,
    "transfer": TRANSFER_FIELDS,
    "inventory": INVENTORY_FIELDS,
    "insurance": INSURANCE_FIELDS,
    "plan": PLAN_FIELDS,
    "aid": AID_FIELDS,
}
#: The payment form is the page's main one; the others' inputs are prefixed.
PREFIXES = {name: "" if name == "entry" else f"{name}_" for name in FORMS}
LABELS = {
    "occupancy_kinds": labels(OCCUPANCY_KINDS),
    "exit_reasons": labels(EXIT_REASONS),
    "inventory_kinds": labels(INVENTORY_KINDS),
    "means": labels(MEANS),
    "revision_reasons": labels(REVISION_REASONS),
    "aid_outcomes": labels(AID_OUTCOMES),
    "letter_steps": LETTER_STEPS,
}


def _euros(amount_cents: int) -> str:
    """Cents as typed in a money input (``12345`` → ``123,45``)."""
    return f"{amount_cents // 100},{amount_cents % 100:02d}"


async def _occupancy(request: Request, occupancy_id: int) -> dict[str, Any]:
    """The occupancy, after checking the user may open its household's file (else 404)."""
    row = await occ.get_occupancy(occupancy_id)
    await check_household(request, row["household"])
    return row


async def _context(request: Request, row: dict[str, Any]) -> dict[str, Any]:
    await occupancy_details(request, [row])
    dwelling = (await protect(request, [await get_dwelling(row["dwelling"])]))[0]
    dwelling["shown_address"] = shown_address(dwelling, current_user(request))
    await audit_revealed([dwelling], current_user(request), actor(request).address)
    on = today().isoformat()
    defaults = {
        "entry": {"entry_date": on, "kind": "payment", "_form_id": new_form_id()},
        "revision": {"effective_from": on, "reason": "yearly"},
        "exit": {"end_date": on, "exit_reason": "end"},
        "transfer": {"transfer_date": on},
        "inventory": {"done_on": on, "kind": "entry"},
        "insurance": {"insurance_expires_on": row["insurance_expires_on"] or ""},
        "plan": {
            "start_date": on,
            "first_due_on": add_months(today().replace(day=1), 1).isoformat(),
            "debt": _euros(max(row["balance"], 0)),
        },
        "aid": {"applied_on": on, "kind": "fsl"},
    }
    forms = {
        name: {
            "fields": fields,
            "prefix": PREFIXES[name],
            "errors": {},
            "values": prefixed(defaults[name], PREFIXES[name]),
        }
        for name, fields in FORMS.items()
    }
    reasons = {
        r["effective_from"]: r["reason"]
        for r in await RentTerms.select(RentTerms.effective_from, RentTerms.reason).where(
            RentTerms.occupancy == row["id"]
        )
    }
    unpaid = receipt.unpaid_by_month(row["entries"], today())
    receipts = [
        {"key": m.strftime("%Y-%m"), "label": receipt.month_label(m)}
        for m, due in sorted(unpaid.items(), reverse=True)
        if due == 0
    ]
    photos = await photos_by_inventory([i["id"] for i in row["inventories"]])
    for inventory in row["inventories"]:
        inventory["photos"] = photos.get(inventory["id"], [])
    return {
        "occupancy": row,
        "dwelling": dwelling,
        "forms": forms,
        "terms_reasons": reasons,
        "receipts": receipts,
        "plans": await plans_of(row["household"]),
        "aids": await applications_of(row["household"]),
        "documents": await household_documents(row["household"]),
        "decision_fields": AID_DECISION_FIELDS,
        "aid_paid_fields": AID_PAID_FIELDS,
        "steps": await steps_of(row["household"]),
        "deposit_fields": DEPOSIT_PAID_FIELDS,
        "today": on,
        **LABELS,
    }


async def _page(
    request: Request,
    row: dict[str, Any],
    form: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    context = await _context(request, row)
    if form:
        context["forms"][form].update(
            values=values or {}, errors=prefixed(errors or {}, PREFIXES[form])
        )
    return page("housing/occupancy.html", context, status)


@get("/housing/occupancies/{occupancy_id:int}", guards=[RENTAL])
async def occupancy_detail(request: Request, occupancy_id: FromPath[int]) -> Template:
    return await _page(request, await _occupancy(request, occupancy_id))


@post("/housing/occupancies/{occupancy_id:int}/entries", guards=[RENTAL])
async def entry_add(request: HTMXRequest, occupancy_id: FromPath[int]) -> Response:
    """Record a payment; the form's ``_form_id`` makes a double submission harmless."""
    row = await _occupancy(request, occupancy_id)
    raw = await form_dict(request)
    try:
        await record_entry(actor(request), occupancy_id, raw)
    except FormErrors as exc:
        values = {**raw, "_form_id": raw.get("_form_id") or new_form_id()}
        if request.htmx:
            return page(
                "housing/_entry_form.html",
                {
                    "occupancy": row,
                    "form": {"fields": ENTRY_FIELDS, "values": values, "errors": exc.errors},
                },
                422,
            )
        return await _page(request, row, "entry", values, exc.errors, 422)
    return redirect_after_write(request, f"/housing/occupancies/{occupancy_id}#ledger")


async def _write(request: Request, occupancy_id: int, form: str, action) -> Response:
    row = await _occupancy(request, occupancy_id)
    raw = await form_dict(request)
    try:
        result = await action(unprefix(raw, PREFIXES[form]))
    except FormErrors as exc:
        return await _page(request, row, form, raw, exc.errors, 422)
    target = result if isinstance(result, str) else f"/housing/occupancies/{occupancy_id}"
    return redirect_after_write(request, target)


@post("/housing/occupancies/{occupancy_id:int}/revisions", guards=[RENTAL])
async def revision_add(request: Request, occupancy_id: FromPath[int]) -> Response:
    return await _write(
        request,
        occupancy_id,
        "revision",
        lambda raw: occ.add_revision(actor(request), occupancy_id, raw),
    )


@post("/housing/occupancies/{occupancy_id:int}/exit", guards=[RENTAL])
async def occupancy_exit(request: Request, occupancy_id: FromPath[int]) -> Response:
    return await _write(
        request,
        occupancy_id,
        "exit",
        lambda raw: occ.close_occupancy(actor(request), occupancy_id, raw),
    )


@post("/housing/occupancies/{occupancy_id:int}/transfer", guards=[RENTAL])
async def occupancy_transfer(request: Request, occupancy_id: FromPath[int]) -> Response:
    async def move(raw: dict[str, Any]) -> str:
        row = await occ.get_occupancy(occupancy_id)
        confidential = must_be_confidential(request, row["programme"])
        by_unit = {
            key
            for key, workflow in app_context(request).host.workflows.items()
            if houses_by_unit(workflow.transitions)
        }
        new_id = await occ.transfer(actor(request), occupancy_id, raw, confidential, by_unit)
        return f"/housing/occupancies/{new_id}"

    return await _write(request, occupancy_id, "transfer", move)


@post("/housing/occupancies/{occupancy_id:int}/inventories", guards=[RENTAL])
async def inventory_add(request: Request, occupancy_id: FromPath[int]) -> Response:
    return await _write(
        request,
        occupancy_id,
        "inventory",
        lambda raw: occ.add_inventory(actor(request), occupancy_id, raw),
    )


@post("/housing/occupancies/{occupancy_id:int}/insurance", guards=[RENTAL])
async def insurance_set(request: Request, occupancy_id: FromPath[int]) -> Response:
    return await _write(
        request,
        occupancy_id,
        "insurance",
        lambda raw: occ.set_insurance(actor(request), occupancy_id, raw),
    )


@post("/housing/deposits/{instalment_id:int}/paid", guards=[RENTAL])
async def deposit_paid(request: Request, instalment_id: FromPath[int]) -> Response:
    instalment = (
        await DepositInstalment.select(DepositInstalment.occupancy)
        .where(DepositInstalment.id == instalment_id)
        .first()
    )
    occupancy_id = instalment["occupancy"] if instalment else 0
    row = await _occupancy(request, occupancy_id)
    raw = await form_dict(request)
    try:
        await occ.mark_deposit_paid(actor(request), instalment_id, raw)
    except FormErrors as exc:
        context = await _context(request, row)
        context["deposit_error"] = "; ".join(exc.errors.values())
        return page("housing/occupancy.html", context, 422)
    return redirect_after_write(request, f"/housing/occupancies/{occupancy_id}#deposit")


@get("/housing/occupancies/{occupancy_id:int}/receipts/{month:str}", guards=[RENTAL])
async def receipt_pdf(
    request: Request, occupancy_id: FromPath[int], month: FromPath[str]
) -> Response:
    """The rent receipt (*quittance*) of a fully paid month ``YYYY-MM``, as a PDF."""
    row = await _occupancy(request, occupancy_id)
    try:
        day = receipt.parse_month(month)
        dwelling = (await protect(request, [await get_dwelling(row["dwelling"])]))[0]
        data = await receipt.receipt_data(
            row,
            dwelling,
            shown_address(dwelling, current_user(request)),
            day,
            app_context(request).settings.association_name,
        )
    except receipt.ReceiptRefused as exc:
        return Response(
            content=exc.message, status_code=exc.status, media_type="text/plain; charset=utf-8"
        )
    pdf = await asyncio.to_thread(receipt.render_pdf, data)
    name = f"quittance-{data['dwelling']}-{day.strftime('%Y-%m')}.pdf"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@post("/housing/occupancies/{occupancy_id:int}/plans", guards=[RENTAL])
async def plan_add(request: Request, occupancy_id: FromPath[int]) -> Response:
    """A repayment plan of the household's debt (a double submit records it once)."""
    row = await _occupancy(request, occupancy_id)
    return await _write(
        request,
        occupancy_id,
        "plan",
        lambda raw: _then(
            plans.create_plan(actor(request), row["household"], raw), occupancy_id, "plans"
        ),
    )


@post("/housing/occupancies/{occupancy_id:int}/aid", guards=[RENTAL])
async def aid_add(request: Request, occupancy_id: FromPath[int]) -> Response:
    """An application for help (FSL, VISALE, a fund…)."""
    row = await _occupancy(request, occupancy_id)
    return await _write(
        request,
        occupancy_id,
        "aid",
        lambda raw: _then(
            aid.add_application(actor(request), row["household"], raw), occupancy_id, "aid"
        ),
    )


async def _then(awaitable, occupancy_id: int, anchor: str) -> str:
    await awaitable
    return f"/housing/occupancies/{occupancy_id}#{anchor}"


async def _aid_write(request: Request, aid_id: int, action) -> Response:
    application = await aid.get_application(aid_id)
    if application["occupancy"] is None:
        raise NotFoundException()
    row = await _occupancy(request, application["occupancy"])
    raw = await form_dict(request)
    prefix = f"aid{aid_id}_"  # one form per application on the page: unique input ids
    try:
        await action(unprefix(raw, prefix))
    except FormErrors as exc:
        context = await _context(request, row)
        context["aid_errors"] = {aid_id: prefixed(exc.errors, prefix)}
        context["aid_values"] = {aid_id: raw}
        return page("housing/occupancy.html", context, 422)
    return redirect_after_write(request, f"/housing/occupancies/{row['id']}#aid")


@post("/housing/aid/{aid_id:int}/decision", guards=[RENTAL])
async def aid_decision(request: Request, aid_id: FromPath[int]) -> Response:
    return await _aid_write(request, aid_id, lambda raw: aid.decide(actor(request), aid_id, raw))


@post("/housing/aid/{aid_id:int}/paid", guards=[RENTAL])
async def aid_paid(request: Request, aid_id: FromPath[int]) -> Response:
    """A granted aid paid to the association: one credit in the account, even if sent twice."""
    return await _aid_write(
        request, aid_id, lambda raw: aid.record_paid(actor(request), aid_id, raw)
    )


@post("/housing/inventories/{inventory_id:int}/photos", guards=[RENTAL])
async def inventory_photo(request: Request, inventory_id: FromPath[int]) -> Response:
    """Attach one of the household's documents to an inventory as a photo."""
    occupancy_id = (await inventory_occupancy(inventory_id))["occupancy"]
    row = await _occupancy(request, occupancy_id)
    raw = await form_dict(request)
    try:
        await attach_photo(actor(request), inventory_id, raw)
    except FormErrors as exc:
        context = await _context(request, row)
        context["photo_errors"] = {inventory_id: exc.errors}
        return page("housing/occupancy.html", context, 422)
    return redirect_after_write(request, f"/housing/occupancies/{occupancy_id}#inventories")


@get("/housing/arrears-steps/{step_id:int}/letter", guards=[RENTAL])
async def arrears_letter(request: Request, step_id: FromPath[int]) -> Response:
    """The letter of a procedure step (first or second reminder, formal notice), as a PDF
    from the association's template."""
    step = await letters.get_step(step_id)
    if step is None or step["step"] not in LETTER_STEPS:
        raise NotFoundException()
    await check_household(request, step["household"])
    reference, address = "", ""
    if step["occupancy"] is not None:
        occupancy = await occ.get_occupancy(step["occupancy"])
        dwelling = (await protect(request, [await get_dwelling(occupancy["dwelling"])]))[0]
        reference = dwelling["reference"]
        address = shown_address(dwelling, current_user(request))
        await audit_revealed([dwelling], current_user(request), actor(request).address)
    context = app_context(request)
    data = await letters.letter_data(
        step,
        address,
        reference,
        context.settings.association_name,
        current_user(request).full_name or "",
    )
    template = letters.template_path(context.settings.templates_dir)
    pdf = await asyncio.to_thread(letters.render_pdf, template, data)
    await write_audit(
        actor(request), "download", "household", step["household"], ["arrears_letter"]
    )
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="courrier-{step["step"]}-{step_id}.pdf"'
        },
    )


ROUTES = [
    occupancy_detail,
    entry_add,
    revision_add,
    occupancy_exit,
    occupancy_transfer,
    inventory_add,
    insurance_set,
    deposit_paid,
    receipt_pdf,
    plan_add,
    aid_add,
    aid_decision,
    aid_paid,
    inventory_photo,
    arrears_letter,
]
