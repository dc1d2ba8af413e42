"""Renewals of the occupancy agreement: 3-month terms up to 18 months, beyond only by
derogation (the programme's :data:`AGREEMENT` policy; housing keeps the renewals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.api import (
    N_,
    EnrolmentView,
    Field,
    FormErrors,
    actor,
    enrolment_for_route,
    enrolment_url,
    redirect_after_write,
    requires,
    today,
    validate,
)
from tremplin_housing import api as housing
from tremplin_iml_sublease.workflow import AGREEMENT, KEY

RENEWAL_FIELDS = (
    Field("decided_on", N_("Date de la décision"), kind="date", required=True),
    Field("derogation_reason", N_("Motif de dérogation (au-delà de 18 mois)"), kind="textarea"),
)


async def renew(
    enrolment_id: FromPath[int], raw: dict[str, Any], user_id: int | None, address: str
) -> dt.date:
    """Record a renewal decision in housing's agreement; returns the new end."""
    values = validate(RENEWAL_FIELDS, raw)
    return await housing.renew_agreement(
        enrolment_id,
        KEY,
        AGREEMENT,
        dt.date.fromisoformat(values["decided_on"]),
        derogation_reason=values["derogation_reason"] or "",
        user_id=user_id,
        address=address,
        event_kind="agreement_renewal",
    )


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/renewals", guards=[requires("social")])
async def renewal_create(request: Request, enrolment_id: FromPath[int]) -> Response:
    """Record a renewal; htmx gets the panel back with the error in place when refused."""
    row = await enrolment_for_route(request, enrolment_id, KEY)
    raw = {k: v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    try:
        await renew(enrolment_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        if not request.htmx:
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
    renewals = (await housing.agreement_renewals([enrolment.id]))[enrolment.id]
    entry = enrolment.entry_date
    return {
        "renewals": renewals,
        "agreement_end": housing.agreement_end(entry, AGREEMENT, renewals) if entry else None,
        "max_end": housing.agreement_max_end(entry, AGREEMENT) if entry else None,
        "can_renew": enrolment.state == "housed",
        "fields": RENEWAL_FIELDS,
        "values": {"decided_on": today().isoformat()},
        "errors": {},
    }
