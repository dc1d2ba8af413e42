"""The enrolment panel of the youth IML: the occupancy agreement with its renewals (3-month
terms up to 18 months, beyond only by derogation) and the CEJ form.

The agreement is the sub-lease's, owned by housing: its renewals are kept in housing's one
table of renewals (``housing.renew_agreement``), never in the enrolment's ``data``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.api import (
    N_,
    Actor,
    ConflictError,
    Enrolments,
    EnrolmentView,
    Field,
    FormErrors,
    actor,
    enrolment_for_route,
    enrolment_url,
    redirect_after_write,
    requires,
    today,
    transaction,
    update_enrolment_data,
    validate,
)
from tremplin_housing import api as housing
from tremplin_iml_youth.fields import CEJ_FORM
from tremplin_iml_youth.rules import KEY, cej_errors
from tremplin_iml_youth.workflow import AGREEMENT

RENEWAL_FIELDS = (
    Field("decided_on", N_("Date de la décision"), kind="date", required=True),
    Field("derogation_reason", N_("Motif de dérogation (au-delà de 18 mois)"), kind="textarea"),
)


async def _row(enrolment_id: int) -> dict[str, Any]:
    row = (
        await Enrolments.select()
        .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise LookupError(enrolment_id)
    return row


async def renew(
    enrolment_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> dt.date:
    """Record a renewal decision in housing's agreement; returns the new end."""
    values = validate(RENEWAL_FIELDS, raw)
    try:
        return await housing.renew_agreement(
            enrolment_id,
            KEY,
            AGREEMENT,
            dt.date.fromisoformat(values["decided_on"]),
            derogation_reason=values["derogation_reason"] or "",
            user_id=user_id,
            address=address,
            event_kind="iml_youth_renewal",
        )
    except FormErrors as exc:
        # The panel shows refusals of the whole agreement under ``_panel``.
        raise FormErrors(
            {("_panel" if k == "_renewal" else k): v for k, v in exc.errors.items()}
        ) from exc


async def update_cej(
    enrolment_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> None:
    """Save the CEJ, commitments and job project, refusing an inconsistent CEJ."""
    values = validate(CEJ_FORM, raw)
    errors = cej_errors(values)
    if errors:
        raise FormErrors(errors)
    async with transaction():
        row = await _row(enrolment_id)
        data = row["data"] or {}
        changed = [k for k, v in values.items() if data.get(k) != v]
        try:
            await update_enrolment_data(
                Actor(user_id, address), enrolment_id, row["version"], values, fields=changed
            )
        except ConflictError as exc:
            raise FormErrors(
                {"_panel": "Le dossier a été modifié entre-temps : rechargez la page."}
            ) from exc


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    from tremplin_iml_youth.meetings import MEETING_FIELDS, OPEN_STATES, meetings_of

    entry, data = enrolment.entry_date, enrolment.data
    renewals = (await housing.agreement_renewals([enrolment.id]))[enrolment.id]
    meetings = (await meetings_of([enrolment.household_id])).get(enrolment.household_id, [])
    return {
        "meetings": meetings,
        "can_meet": enrolment.state in OPEN_STATES,
        "meeting_fields": MEETING_FIELDS,
        "meeting_values": {
            "meeting_date": today().isoformat(),
            "attendees": ["young", "social_worker", "ml_counsellor"],
        },
        "history": renewals,
        "agreement_end": housing.agreement_end(entry, AGREEMENT, renewals) if entry else None,
        "max_end": housing.agreement_max_end(entry, AGREEMENT) if entry else None,
        "can_renew": enrolment.state == "housed",
        "renewal_fields": RENEWAL_FIELDS,
        "renewal_values": {"decided_on": today().isoformat()},
        "cej_fields": CEJ_FORM,
        "cej_values": {f.name: _form_value(f, data.get(f.name)) for f in CEJ_FORM},
        "errors": {},
        "form": "",
    }


def _form_value(field: Field, value: Any) -> Any:
    if field.kind == "money" and value is not None:
        return f"{int(value) / 100:.2f}".replace(".", ",")
    if field.kind == "bool":
        return "on" if value else ""
    return value


async def _handle(request: Request, enrolment_id: int, form: str) -> Response:
    row = await enrolment_for_route(request, enrolment_id, KEY)
    raw = {k: v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    try:
        if form == "renewal":
            await renew(enrolment_id, raw, a.user_id, a.address)
        else:
            await update_cej(enrolment_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        context = await panel_context(agreement_view(row))
        context.update(errors=exc.errors, form=form)
        context["renewal_values" if form == "renewal" else "cej_values"] = raw
        return Template(
            f"{KEY}/_panel.html",
            status_code=422,
            context={"enrolment": row, "panel_context": context},
        )
    return redirect_after_write(request, enrolment_url(row["household"], enrolment_id))


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/renewals", guards=[requires("social")])
async def renewal_create(request: Request, enrolment_id: FromPath[int]) -> Response:
    """Record a renewal; the panel comes back with the error in place when refused."""
    return await _handle(request, enrolment_id, "renewal")


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/cej", guards=[requires("social")])
async def cej_update(request: Request, enrolment_id: FromPath[int]) -> Response:
    """Save the CEJ and commitments; the panel comes back with the errors when refused."""
    return await _handle(request, enrolment_id, "cej")


def agreement_view(row: dict[str, Any]) -> EnrolmentView:
    return EnrolmentView.from_row(row)
