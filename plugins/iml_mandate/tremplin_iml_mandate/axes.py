"""Stabilisation axes of the IML under mandate: for each axis (administrative situation,
budget, family and parenting, employment, upkeep, neighbourhood, health), the goals agreed
with the household and their progress. One row per axis and enrolment; every change is a
timeline event and an audit entry (field names only).

The health axis holds health information: only users allowed to see sensitive data read
or edit it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Response, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tremplin.api import (
    N_,
    Actor,
    Choice,
    Enrolments,
    EnrolmentView,
    Field,
    FormErrors,
    NewEvent,
    actor,
    add_timeline_event,
    can,
    current_user,
    enrolment_for_route,
    enrolment_url,
    now,
    record_audit,
    requires,
    today,
    transaction,
    validate,
)
from tremplin_iml_mandate.tables import StabilisationAxis
from tremplin_iml_mandate.workflow import KEY

AXES = (
    Choice("administrative", N_("Situation administrative")),
    Choice("budget", N_("Budget")),
    Choice("family", N_("Famille et parentalité")),
    Choice("employment", N_("Emploi et insertion professionnelle")),
    Choice("upkeep", N_("Entretien du logement")),
    Choice("neighbourhood", N_("Liens de voisinage")),
    Choice("health", N_("Santé")),
)
SENSITIVE_AXES = frozenset({"health"})
AXIS_LABELS = {c.value: c.label for c in AXES}

PROGRESS = (
    Choice("not_started", N_("Non commencé")),
    Choice("in_progress", N_("En cours")),
    Choice("achieved", N_("Atteint")),
    Choice("not_achieved", N_("Non atteint / abandonné")),
)
PROGRESS_LABELS = {c.value: c.label for c in PROGRESS}

AXIS_FIELDS = (
    Field("goals", N_("Objectifs"), kind="textarea"),
    Field("progress", N_("Avancement"), kind="choice", required=True, choices=PROGRESS),
    Field("reviewed_on", N_("Date du point"), kind="date", required=True),
    Field("comment", N_("Commentaire"), kind="textarea"),
)

#: Axes are worked on while the household is accompanied (before entry and in the dwelling).
EDITABLE_STATES = ("pre_entry", "housed")


def check_axis(values: dict[str, Any]) -> None:
    """Cross-field rules: goals before any progress; no review in the future."""
    errors = {}
    if values["progress"] != "not_started" and not (values["goals"] or "").strip():
        errors["goals"] = N_("indiquez les objectifs avant de noter un avancement")
    if values["reviewed_on"] and dt.date.fromisoformat(values["reviewed_on"]) > today():
        errors["reviewed_on"] = N_("la date du point est dans le futur")
    if errors:
        raise FormErrors(errors)


async def save_axis(
    enrolment_id: int, axis: str, raw: dict[str, Any], user_id: int | None, address: str
) -> dict[str, Any]:
    """Create or update the axis ``axis`` of the enrolment; returns the stored values."""
    if axis not in AXIS_LABELS:
        raise LookupError(axis)
    values = validate(AXIS_FIELDS, raw)
    check_axis(values)
    async with transaction():
        row = (
            await Enrolments.select(Enrolments.id, Enrolments.household, Enrolments.state)
            .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        if row["state"] not in EDITABLE_STATES:
            raise FormErrors({"_axis": "Les axes ne se modifient que pendant l'accompagnement."})
        existing = (
            await StabilisationAxis.select()
            .where((StabilisationAxis.enrolment == enrolment_id) & (StabilisationAxis.axis == axis))
            .first()
        )
        stored = {
            "goals": values["goals"] or "",
            "progress": values["progress"],
            "comment": values["comment"] or "",
            "reviewed_on": dt.date.fromisoformat(values["reviewed_on"]),
        }
        if existing is None:
            await StabilisationAxis.insert(
                StabilisationAxis(
                    enrolment=enrolment_id,
                    household=row["household"],
                    axis=axis,
                    updated_by=user_id,
                    updated_at=now(),
                    **stored,
                )
            )
            changed = [k for k, v in stored.items() if v]
        else:
            changed = [k for k, v in stored.items() if existing[k] != v]
            await StabilisationAxis.update(
                {
                    StabilisationAxis.goals: stored["goals"],
                    StabilisationAxis.progress: stored["progress"],
                    StabilisationAxis.comment: stored["comment"],
                    StabilisationAxis.reviewed_on: stored["reviewed_on"],
                    StabilisationAxis.updated_by: user_id,
                    StabilisationAxis.updated_at: now(),
                }
            ).where(StabilisationAxis.id == existing["id"])
        await add_timeline_event(
            Actor(user_id, address),
            row["household"],
            NewEvent(
                kind="stabilisation_axis",
                title=f"Axe « {AXIS_LABELS[axis]} » : {PROGRESS_LABELS[values['progress']]}",
                on=stored["reviewed_on"],
                data={"axis": axis, "progress": values["progress"]},
            ),
            programme=KEY,
            enrolment_id=enrolment_id,
            audit_action=None,
        )
        await record_audit(
            "update",
            "enrolment",
            enrolment_id,
            user_id=user_id,
            fields=[f"axis.{axis}.{k}" for k in changed] or [f"axis.{axis}"],
            address=address,
        )
    return stored


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    rows = {
        r["axis"]: r
        for r in await StabilisationAxis.select().where(StabilisationAxis.enrolment == enrolment.id)
    }
    return {
        "axes": [_axis_entry(c, rows.get(c.value)) for c in AXES],
        "editable": enrolment.state in EDITABLE_STATES,
        # Nothing to show before the support starts (or for a refused referral).
        "visible": bool(rows) or enrolment.state in EDITABLE_STATES or enrolment.state == "exited",
        "fields": AXIS_FIELDS,
        "open": "",
        "errors": {},
    }


def _axis_entry(choice: Choice, row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    reviewed = row.get("reviewed_on")
    return {
        "key": choice.value,
        "label": choice.label,
        "sensitive": choice.value in SENSITIVE_AXES,
        "goals": row.get("goals", ""),
        "comment": row.get("comment", ""),
        "progress": row.get("progress", "not_started"),
        "progress_label": PROGRESS_LABELS.get(row.get("progress", "not_started"), ""),
        "reviewed_on": reviewed,
        # Form names carry the axis (``budget_goals``…): seven forms share the page.
        "values": _prefixed(
            choice.value,
            {
                "goals": row.get("goals", ""),
                "progress": row.get("progress", "not_started"),
                "comment": row.get("comment", ""),
                "reviewed_on": (reviewed or today()).isoformat(),
            },
        ),
        "errors": {},
    }


def _prefixed(axis: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{axis}_{k}": v for k, v in values.items()}


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/axes/{{axis:str}}", guards=[requires("social")])
async def axis_update(
    request: HTMXRequest, enrolment_id: FromPath[int], axis: FromPath[str]
) -> Response:
    """Save one axis; htmx gets the panel back (with the typed values and errors if refused)."""
    if axis not in AXIS_LABELS:
        raise NotFoundException()
    row = await enrolment_for_route(request, enrolment_id, KEY)
    sensitive = can(current_user(request), "sensitive")
    if axis in SENSITIVE_AXES and not sensitive:
        raise PermissionDeniedException(N_("accès refusé aux données de santé"))
    raw = {k.removeprefix(f"{axis}_"): v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    status = 200
    context: dict[str, Any] | None = None
    try:
        await save_axis(enrolment_id, axis, raw, a.user_id, a.address)
    except FormErrors as exc:
        context = await panel_context(EnrolmentView.from_row(row))
        for entry in context["axes"]:
            if entry["key"] == axis:
                entry["values"] = _prefixed(axis, raw)
                entry["errors"] = _prefixed(axis, exc.errors)
        context.update(open=axis, errors=exc.errors, visible=True)
        status = 422
    if context is None and not request.htmx:
        return Redirect(enrolment_url(row["household"], enrolment_id), status_code=303)
    if context is None:
        context = await panel_context(EnrolmentView.from_row(row))
        context["saved"] = axis
    page = "_axes.html" if request.htmx else "axes_page.html"
    return Template(
        f"{KEY}/{page}",
        status_code=status,
        context={"enrolment": row, "panel_context": context, "can_see_sensitive": sensitive},
    )
