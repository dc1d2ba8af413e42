"""Checklists kept per enrolment in its ``data``: the entry steps that must all be done before
"Entrée dans le logement", and the reinforced-support follow-up of households leaving the
asylum system (shown only when ``reinforced_support`` is ticked).

Each checklist is stored as ``data[<name>] = {item: true/false}``; the panel form posts to
``/iml_sublease/enrolments/{id}/checklists/{name}`` which calls :func:`save_checklist`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tremplin.api import (
    N_,
    Actor,
    ConflictError,
    Enrolments,
    EnrolmentView,
    Field,
    FormErrors,
    GuardContext,
    actor,
    enrolment_for_route,
    enrolment_url,
    requires,
    transaction,
    update_enrolment_data,
    validate,
)
from tremplin_iml_sublease.workflow import KEY

ENTRY = "entry_checklist"
REINFORCED = "reinforced_checklist"

#: The entry steps of La Clède's procedure, in the order they are usually done.
ENTRY_ITEMS = (
    Field("convention_household", N_("Convention d'occupation signée par le ménage"), kind="bool"),
    Field("convention_referent", N_("Convention signée par le référent"), kind="bool"),
    Field("convention_head", N_("Convention signée par le chef de service"), kind="bool"),
    Field("insurance", N_("Attestation d'assurance habitation"), kind="bool"),
    Field("deposit_first_half", N_("Première moitié du dépôt de garantie versée"), kind="bool"),
    Field("inventory", N_("État des lieux d'entrée"), kind="bool"),
    Field("meters", N_("Ouverture des compteurs (électricité, gaz, eau)"), kind="bool"),
    Field("change_of_address", N_("Changement d'adresse effectué"), kind="bool"),
    Field("housing_benefit", N_("Demande d'aide au logement (APL/AL) déposée"), kind="bool"),
)

#: The reinforced support of refugees leaving asylum accommodation.
REINFORCED_ITEMS = (
    Field("prefecture", N_("Démarches en préfecture"), kind="bool"),
    Field("residence_permit", N_("Renouvellement du titre de séjour"), kind="bool"),
    Field("schooling", N_("Scolarisation des enfants"), kind="bool"),
    Field(
        "local_integration", N_("Intégration locale (associations, services, langue)"), kind="bool"
    ),
)

CHECKLISTS: dict[str, tuple[str, tuple[Field, ...]]] = {
    ENTRY: ("Étapes d'entrée dans le logement", ENTRY_ITEMS),
    REINFORCED: ("Accompagnement renforcé (sortants asile)", REINFORCED_ITEMS),
}


def missing(data: dict[str, Any], name: str = ENTRY) -> list[str]:
    """Labels of the items of checklist ``name`` not yet ticked."""
    done = data.get(name) or {}
    return [f.label for f in CHECKLISTS[name][1] if not done.get(f.name)]


def require_entry_checklist(ctx: GuardContext) -> str | None:
    """Guard of ``enter``: every entry step must be ticked."""
    todo = missing(ctx.enrolment.data)
    if todo:
        return "Étapes d'entrée non terminées : " + " ; ".join(todo) + "."
    return None


async def save_checklist(
    enrolment_id: int, name: str, raw: dict[str, Any], user_id: int | None, address: str
) -> dict[str, bool]:
    """Store the ticked items of checklist ``name`` (unticked boxes are simply absent)."""
    if name not in CHECKLISTS:
        raise LookupError(name)
    values = validate(CHECKLISTS[name][1], raw)
    async with transaction():
        row = (
            await Enrolments.select(Enrolments.id, Enrolments.data, Enrolments.version)
            .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        before = (row["data"] or {}).get(name) or {}
        changed = [k for k, v in values.items() if bool(before.get(k)) != v]
        ticked = {k: bool(v) for k, v in values.items()}
        try:
            await update_enrolment_data(
                Actor(user_id, address),
                enrolment_id,
                row["version"],
                {name: ticked},
                programme=KEY,
                fields=[f"{name}.{k}" for k in changed],
            )
        except ConflictError:
            raise FormErrors(
                {"_panel": "Le dossier a été modifié entre-temps : rechargez la page."}
            ) from None
    return ticked


def _checklist_context(enrolment: EnrolmentView, name: str) -> dict[str, Any]:
    title, items = CHECKLISTS[name]
    done = enrolment.data.get(name) or {}
    return {
        "name": name,
        "title": title,
        "entries": [
            {"name": f.name, "label": f.label, "done": bool(done.get(f.name))} for f in items
        ],
        "missing": missing(enrolment.data, name),
        "visible": True,
        "errors": {},
    }


async def entry_panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    context = _checklist_context(enrolment, ENTRY)
    # Once the household is in (or the file closed), the list is kept for the record only.
    context["editable"] = enrolment.state in ("referral", "admitted")
    return context


async def exit_panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    """The exit inventory recorded with the exit transition (nothing before the exit)."""
    day = enrolment.data.get("exit_inventory_date")
    return {
        "day": date.fromisoformat(day) if day else None,
        "notes": enrolment.data.get("exit_inventory_notes") or "",
    }


async def reinforced_panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    context = _checklist_context(enrolment, REINFORCED)
    context["visible"] = bool(enrolment.data.get("reinforced_support"))
    context["editable"] = context["visible"]
    return context


@post(
    f"/{KEY}/enrolments/{{enrolment_id:int}}/checklists/{{name:str}}", guards=[requires("social")]
)
async def checklist_update(
    request: HTMXRequest, enrolment_id: FromPath[int], name: FromPath[str]
) -> Response:
    """Save a checklist; htmx gets the panel back."""
    if name not in CHECKLISTS:
        raise NotFoundException()
    row = await enrolment_for_route(request, enrolment_id, KEY)
    form = await request.form()
    raw = {k: v for k, v in form.items() if k != "_csrf"}
    a = actor(request)
    try:
        await save_checklist(enrolment_id, name, raw, a.user_id, a.address)
    except FormErrors as exc:
        if not request.htmx:
            raise
        context = _checklist_context(enrolment_view(row), name)
        context.update(editable=True, errors=exc.errors)
        return Template(
            f"{KEY}/_checklist.html",
            context={"enrolment": row, "panel_context": context},
            status_code=409,
        )
    if request.htmx:
        fresh = (
            await Enrolments.select()
            .where(Enrolments.id == enrolment_id)
            .output(load_json=True)
            .first()
        )
        assert fresh is not None  # the enrolment just updated
        view = enrolment_view(fresh)
        context = await (
            entry_panel_context(view) if name == ENTRY else reinforced_panel_context(view)
        )
        context["saved"] = True
        return Template(
            f"{KEY}/_checklist.html", context={"enrolment": fresh, "panel_context": context}
        )
    return Redirect(enrolment_url(row["household"], enrolment_id), status_code=303)


def enrolment_view(row: dict[str, Any]) -> EnrolmentView:
    return EnrolmentView.from_row(row)
