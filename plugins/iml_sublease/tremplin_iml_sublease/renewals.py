"""Renewals of the occupancy agreement: 3-month terms up to 18 months, beyond only by derogation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.api import (
    Enrolment,
    EnrolmentView,
    Field,
    FormErrors,
    actor,
    add_enrolment_event,
    audit,
    enrolment_for_route,
    enrolment_url,
    is_htmx,
    now,
    redirect_after_write,
    refresh_due_dates,
    requires,
    today,
    transaction,
    validate,
)
from tremplin_iml_sublease.tables import AgreementRenewal
from tremplin_iml_sublease.workflow import KEY, MAX_MONTHS, agreement_end, max_end

RENEWAL_FIELDS = (
    Field("decided_on", "Date de la décision", kind="date", required=True),
    Field("derogation_reason", "Motif de dérogation (au-delà de 18 mois)", kind="textarea"),
)


async def renew(
    enrolment_id: FromPath[int], raw: dict[str, Any], user_id: int | None, address: str
) -> dt.date:
    """Record a renewal decision; returns the new end of the agreement."""
    values = validate(RENEWAL_FIELDS, raw)
    async with transaction():
        row = (
            await Enrolment.select(
                Enrolment.id,
                Enrolment.household,
                Enrolment.state,
                Enrolment.entry_date,
                Enrolment.data,
                Enrolment.version,
            )
            .where((Enrolment.id == enrolment_id) & (Enrolment.programme == KEY))
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        if row["state"] != "housed" or row["entry_date"] is None:
            raise FormErrors({"_renewal": "Seule une convention en cours peut être renouvelée."})
        count = await AgreementRenewal.count().where(AgreementRenewal.enrolment == enrolment_id)
        until = agreement_end(row["entry_date"], count + 1)
        if until > max_end(row["entry_date"]) and not (values["derogation_reason"] or "").strip():
            raise FormErrors(
                {
                    "derogation_reason": f"Au-delà de {MAX_MONTHS} mois, un motif de dérogation est "
                    "obligatoire."
                }
            )
        await AgreementRenewal.insert(
            AgreementRenewal(
                enrolment=enrolment_id,
                decided_on=dt.date.fromisoformat(values["decided_on"]),
                until=until,
                derogation_reason=values["derogation_reason"] or "",
                decided_by=user_id,
                created_at=now(),
            )
        )
        data = dict(row["data"] or {})
        data["renewals"] = count + 1
        await Enrolment.update(
            {
                Enrolment.data: data,
                Enrolment.version: row["version"] + 1,
                Enrolment.updated_at: now(),
            }
        ).where(Enrolment.id == enrolment_id)
        await refresh_due_dates(enrolment_id)
        await add_enrolment_event(
            enrolment_id,
            row["household"],
            programme=KEY,
            kind="agreement_renewal",
            title="Renouvellement de la convention",
            body=f"Convention prolongée jusqu'au {until.strftime('%d/%m/%Y')}",
            author=user_id,
        )
        await audit(
            "renew", "enrolment", enrolment_id, user_id=user_id, fields=["renewal"], address=address
        )
    return until


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/renewals", guards=[requires("social")])
async def renewal_create(request: Request, enrolment_id: FromPath[int]) -> Response:
    """Record a renewal; htmx gets the panel back with the error in place when refused."""
    row = await enrolment_for_route(request, enrolment_id, KEY)
    raw = {k: v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    try:
        await renew(enrolment_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        if not is_htmx(request):
            raise
        context = await panel_context(_view(row))
        context.update(values=raw, errors=exc.errors)
        return Template(
            f"{KEY}/_renewals.html",
            context={"enrolment": row, "panel_context": context},
            status_code=422,
        )
    return redirect_after_write(request, enrolment_url(row["household"], enrolment_id))


def _view(row: dict[str, Any]) -> EnrolmentView:
    return EnrolmentView.from_row(row)


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    renewals = (
        await AgreementRenewal.select()
        .where(AgreementRenewal.enrolment == enrolment.id)
        .order_by(AgreementRenewal.id)
    )
    end = agreement_end(enrolment.entry_date, len(renewals)) if enrolment.entry_date else None
    return {
        "renewals": renewals,
        "agreement_end": end,
        "max_end": max_end(enrolment.entry_date) if enrolment.entry_date else None,
        "can_renew": enrolment.state == "housed",
        "fields": RENEWAL_FIELDS,
        "values": {"decided_on": today().isoformat()},
        "errors": {},
    }
