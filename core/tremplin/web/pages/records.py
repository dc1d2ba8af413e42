"""Enrolments (orientation and workflow actions), timeline notes and documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tremplin.forms import FormErrors, resolve_choices
from tremplin.i18n import N_
from tremplin.models import TimelineEvent
from tremplin.permissions import can
from tremplin.policy import HouseholdAccess
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.services.clock import today
from tremplin.services.documents import (
    PREVIEW_TYPES,
    delete_document,
    download_name,
    may_delete,
    read_document,
    store_document,
)
from tremplin.services.idempotency import run_once
from tremplin.services.shares import create_share, end_share
from tremplin.services.timeline import add_event
from tremplin.types import Choice, ChoiceContext, Field, FieldError
from tremplin.web.access import check_household
from tremplin.web.auth import requires
from tremplin.web.conflicts import conflict_rows
from tremplin.web.formdata import form_dict, int_or_none, new_form_id
from tremplin.web.pages.households import household_context, referents
from tremplin.web.responses import redirect_after_write
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")


def _programme(request: Request, key: str):
    host = app_context(request).host
    if key not in host.programmes or key not in user_programmes(request):
        raise NotFoundException(N_("programme inconnu"))
    return host.programmes[key]


async def _new_fields(
    request: Request, household_id: int, programme: str, access: HouseholdAccess
) -> list[Field]:
    """The orientation form's fields the access policy lets this user fill in (no sensitive
    input for a worker who may not read it), with the current choices of the run-time
    ones."""
    return await resolve_choices(
        access.visible_fields(enr.enrolment_fields(app_context(request).host, programme)),
        ChoiceContext(programme=programme, household_id=household_id, today=today()),
    )


@get("/households/{household_id:int}/enrolments/new", guards=[SOCIAL])
async def enrolment_new(
    request: Request, household_id: FromPath[int], programme: FromQuery[str]
) -> Template:
    access = await check_household(request, household_id)
    prog = _programme(request, programme)
    return Template(
        "enrolments/new.html",
        context={
            "household": await hh.get_household(household_id),
            "programme": prog,
            "fields": await _new_fields(request, household_id, prog.key, access),
            "values": {"referral_date": today().isoformat(), "referent": current_user(request).id},
            "errors": {},
            "form_id": new_form_id(),
            "referents": await referents(),
        },
    )


@post("/households/{household_id:int}/enrolments", guards=[SOCIAL])
async def enrolment_create(request: Request, household_id: FromPath[int]) -> Response:
    access = await check_household(request, household_id)
    raw = await form_dict(request)
    prog = _programme(request, str(raw.get("programme", "")))
    host = app_context(request).host
    for f in enr.enrolment_fields(host, prog.key):
        if not access.field_visible(f):
            raw.pop(f.name, None)  # what this user may not read, they do not write either

    async def create() -> str:
        await enr.create_enrolment(host, actor(request), household_id, prog.key, raw)
        return f"/households/{household_id}#enrolments"

    try:
        target, _ = await run_once(raw.get("_form_id"), current_user(request).id, create)
    except FormErrors as exc:
        return Template(
            "enrolments/new.html",
            status_code=422,
            context={
                "household": await hh.get_household(household_id),
                "programme": prog,
                "fields": await _new_fields(request, household_id, prog.key, access),
                "values": raw,
                "errors": exc.errors,
                "form_id": raw.get("_form_id") or new_form_id(),
                "referents": await referents(),
            },
        )
    return Redirect(target, status_code=303)


async def _edit_context(request: Request, enrolment_id: int) -> dict[str, Any]:
    host = app_context(request).host
    try:
        row = await enr.get_enrolment(enrolment_id, user_programmes(request))
    except hh.NotFound:
        raise NotFoundException() from None
    await check_household(request, row["household"])
    return {
        "enrolment": row,
        "programme": host.programmes[row["programme"]],
        "household": await hh.get_household(row["household"]),
        "fields": await resolve_choices(
            enr.enrolment_fields(host, row["programme"]), enr.choice_context(row), keep=row["data"]
        ),
        "referents": await referents(),
        "can_see_sensitive": can(current_user(request), "sensitive"),
    }


@get("/enrolments/{enrolment_id:int}/edit", guards=[SOCIAL])
async def enrolment_edit(request: Request, enrolment_id: FromPath[int]) -> Template:
    context = await _edit_context(request, enrolment_id)
    stored = stored_values(context["enrolment"])
    # Shown as typed (money in euros, "85,50"), so saving the form unchanged keeps every value.
    values = {**stored, **{f.name: f.form_value(stored.get(f.name)) for f in context["fields"]}}
    return Template("enrolments/edit.html", context={**context, "values": values, "errors": {}})


def stored_values(row: dict[str, Any]) -> dict[str, Any]:
    """An enrolment's values as its fields store them (dates as ISO strings)."""
    return {
        **(row["data"] or {}),
        "referral_date": row["referral_date"].isoformat() if row["referral_date"] else "",
        "prescriber": row["prescriber"],
        "referent": row["referent"],
    }


@post("/enrolments/{enrolment_id:int}/edit", guards=[SOCIAL])
async def enrolment_update(request: Request, enrolment_id: FromPath[int]) -> Response:
    context = await _edit_context(request, enrolment_id)
    raw = await form_dict(request)
    if not context["can_see_sensitive"]:
        # Fields this user cannot see keep their stored values (posting them has no effect).
        for f in context["fields"]:
            if f.sensitive:
                raw[f.name] = (context["enrolment"]["data"] or {}).get(f.name)
    try:
        await enr.update_enrolment(
            app_context(request).host,
            actor(request),
            enrolment_id,
            int_or_none(raw.get("version")) or 0,
            raw,
        )
    except FormErrors as exc:
        return Template(
            "enrolments/edit.html",
            status_code=422,
            context={**context, "values": raw, "errors": exc.errors},
        )
    except hh.ConflictError as exc:
        shown = [f for f in context["fields"] if not f.sensitive or context["can_see_sensitive"]]
        return Template(
            "enrolments/edit.html",
            status_code=409,
            context={
                **context,
                "enrolment": exc.current,
                "values": raw,
                "conflict": conflict_rows(shown, stored_values(exc.current), raw),
                "errors": {},
            },
        )
    return Redirect(
        f"/households/{context['household']['id']}#enrolment-{enrolment_id}", status_code=303
    )


@post("/memberships/{membership_id:int}/end", guards=[SOCIAL])
async def membership_end(request: Request, membership_id: FromPath[int]) -> Response:
    """A person leaves the household (separation, departure); the history is kept."""
    from tremplin.models import Membership

    row = (
        await Membership.select(Membership.household).where(Membership.id == membership_id).first()
    )
    if row is None:
        raise NotFoundException()
    await check_household(request, row["household"])
    raw = await form_dict(request)
    try:
        end = Field("end_date", N_("Date de départ"), kind="date", required=True).parse(
            raw.get("end_date")
        )
        await hh.end_membership(actor(request), membership_id, dt.date.fromisoformat(end))
    except FieldError as exc:
        raise FormErrors({"end_date": str(exc)}) from None
    return Redirect(f"/households/{row['household']}#members", status_code=303)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _state_choices(workflow) -> tuple[Choice, ...]:
    return tuple(Choice(st.key, st.label) for st in workflow.states)


async def _transition_context(
    request: Request, enrolment_id: FromPath[int], key: FromPath[str]
) -> dict[str, Any]:
    host = app_context(request).host
    try:
        row = await enr.get_enrolment(enrolment_id, user_programmes(request))
    except hh.NotFound:
        raise NotFoundException() from None
    await check_household(request, row["household"])
    transition = next(
        (t for t in host.workflows[row["programme"]].transitions if t.key == key), None
    )
    if transition is None:
        raise NotFoundException()
    household = await hh.get_household(row["household"])
    return {
        "enrolment": row,
        "transition": transition,
        "household_name": household["name"],
        "fields": await resolve_choices(transition.fields, enr.choice_context(row)),
    }


@get("/enrolments/{enrolment_id:int}/transitions/{key:str}", guards=[SOCIAL])
async def transition_form(
    request: HTMXRequest, enrolment_id: FromPath[int], key: FromPath[str]
) -> Template:
    context = await _transition_context(request, enrolment_id, key)
    values = {f.name: today().isoformat() for f in context["transition"].fields if f.kind == "date"}
    context.update(values=values, errors={})
    template = "enrolments/_transition_form.html" if request.htmx else "enrolments/transition.html"
    return Template(template, context=context)


@post("/enrolments/{enrolment_id:int}/transitions/{key:str}", guards=[SOCIAL])
async def transition_apply(
    request: HTMXRequest, enrolment_id: FromPath[int], key: FromPath[str]
) -> Response:
    context = await _transition_context(request, enrolment_id, key)
    raw = await form_dict(request)
    host = app_context(request).host
    template = "enrolments/_transition_form.html" if request.htmx else "enrolments/transition.html"
    try:
        await enr.apply_transition(
            host, actor(request), enrolment_id, key, raw, int_or_none(raw.get("version")) or 0
        )
    except FormErrors as exc:
        context.update(values=raw, errors=exc.errors)
        return Template(template, context=context, status_code=422)
    except hh.ConflictError as exc:
        host_workflow = host.workflows[exc.current["programme"]]
        state = Field("state", N_("Étape"), kind="choice", choices=_state_choices(host_workflow))
        stored = {
            **stored_values(exc.current),
            **{k: _iso(exc.current.get(k)) for k in enr.ENROLMENT_COLUMNS},
        }
        context.update(
            enrolment=exc.current,
            values=raw,
            conflict=conflict_rows(
                [state, *context["fields"]],
                {**stored, "state": exc.current["state"]},
                {**raw, "state": context["enrolment"]["state"]},
            ),
            errors={
                "_conflict": "Cet accompagnement a été modifié entre-temps : vérifiez "
                "son état sur la fiche avant de confirmer à nouveau."
            },
        )
        return Template(template, context=context, status_code=409)
    target = f"/households/{context['enrolment']['household']}#enrolment-{enrolment_id}"
    return redirect_after_write(request, target)


@post("/households/{household_id:int}/timeline", guards=[SOCIAL])
async def timeline_add(request: HTMXRequest, household_id: FromPath[int]) -> Response:
    """Add a note or contact; htmx gets the fresh form and the new event, swapped in place."""
    await check_household(request, household_id)
    raw = await form_dict(request)
    host = app_context(request).host
    programmes = user_programmes(request)

    async def create() -> str:
        return str(await add_event(host, actor(request), household_id, raw, programmes))

    context = await household_context(request, household_id)
    try:
        event_id, _ = await run_once(raw.get("_form_id"), current_user(request).id, create)
    except FormErrors as exc:
        context.update(
            event_values=raw,
            event_errors=exc.errors,
            event_form_id=raw.get("_form_id") or new_form_id(),
        )
        if request.htmx:
            return Template("households/_event_form.html", context=context, status_code=422)
        return Template("households/detail.html", context=context, status_code=422)
    if not request.htmx:
        return Redirect(f"/households/{household_id}#timeline", status_code=303)
    event = (
        await TimelineEvent.select(
            TimelineEvent.id,
            TimelineEvent.kind,
            TimelineEvent.occurred_at,
            TimelineEvent.title,
            TimelineEvent.body,
            TimelineEvent.programme,
            TimelineEvent.visibility,
            TimelineEvent.author.full_name.as_alias("author_name"),
        )
        .where(TimelineEvent.id == int(event_id))
        .first()
    )
    context["ev"] = event
    return Template("households/_created_event.html", context=context)


@post("/households/{household_id:int}/documents", guards=[SOCIAL])
async def document_upload(request: Request, household_id: FromPath[int]) -> Response:
    await check_household(request, household_id)
    settings = app_context(request).settings
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise FormErrors({"file": "aucun fichier reçu"})
        content = await upload.read()
        await store_document(
            actor(request),
            settings.data_dir,
            household_id,
            upload.filename or "",
            content,
            str(form.get("kind", "other")),
            settings.max_upload_bytes,
        )
    except FormErrors as exc:
        context = await household_context(request, household_id)
        context["document_error"] = "; ".join(exc.errors.values())
        context["document_kind"] = str(form.get("kind", ""))
        return Template("households/detail.html", context=context, status_code=422)
    return Redirect(f"/households/{household_id}#documents", status_code=303)


@get("/documents/{document_id:int}/download", guards=[SOCIAL])
async def document_download(request: Request, document_id: FromPath[int]) -> Response:
    from tremplin.models import Document

    row = await Document.select(Document.household).where(Document.id == document_id).first()
    if row is None or row["household"] is None:
        raise NotFoundException()
    await check_household(request, row["household"])
    meta, content = await read_document(
        actor(request), app_context(request).settings.data_dir, document_id
    )
    name, mime = download_name(meta["filename"], meta["mime"])
    return Response(
        content=content,
        media_type=mime,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@get("/documents/{document_id:int}/apercu", guards=[SOCIAL])
async def document_preview(request: Request, document_id: FromPath[int]) -> Response:
    """The document shown by the browser itself: served inline only for the sniffed types
    a browser displays safely (PDF, PNG, JPEG), under the same CSP as every page; any other
    type goes out as an attachment, like a download. Audited as a download."""
    from tremplin.models import Document

    row = await Document.select(Document.household).where(Document.id == document_id).first()
    if row is None or row["household"] is None:
        raise NotFoundException()
    await check_household(request, row["household"])
    meta, content = await read_document(
        actor(request), app_context(request).settings.data_dir, document_id
    )
    name, mime = download_name(meta["filename"], meta["mime"])
    disposition = "inline" if mime in PREVIEW_TYPES else "attachment"
    return Response(
        content=content,
        media_type=mime,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@post("/documents/{document_id:int}/delete", guards=[SOCIAL])
async def document_delete(request: Request, document_id: FromPath[int]) -> Response:
    """Delete a document with a reason (mandatory; the form comes back with what was typed)."""
    from tremplin.models import Document

    row = (
        await Document.select(Document.household, Document.uploaded_by)
        .where(Document.id == document_id)
        .first()
    )
    if row is None or row["household"] is None:
        raise NotFoundException()
    await check_household(request, row["household"])
    if not may_delete(current_user(request), row):
        raise PermissionDeniedException(N_("suppression réservée"))
    form = await form_dict(request)
    reason = str(form.get("reason", ""))
    try:
        household_id = await delete_document(actor(request), document_id, reason)
    except FormErrors as exc:
        context = await household_context(request, row["household"])
        context["delete_error"] = {
            "id": document_id,
            "reason": reason,
            "message": "; ".join(exc.errors.values()),
        }
        return Template("households/detail.html", context=context, status_code=422)
    except hh.NotFound:
        raise NotFoundException() from None
    return Redirect(f"/households/{household_id}#documents", status_code=303)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


ROUTES = [
    enrolment_edit,
    enrolment_update,
    membership_end,
    enrolment_new,
    enrolment_create,
    transition_form,
    transition_apply,
    timeline_add,
    document_upload,
    document_download,
    document_preview,
    document_delete,
]


SHARE = requires("share")


@post("/households/{household_id:int}/shares", guards=[SHARE])
async def share_create(request: Request, household_id: FromPath[int]) -> Response:
    """Share with a partner, with the household's dated consent."""
    access = await check_household(request, household_id)
    raw = await form_dict(request)
    host = app_context(request).host
    try:
        await create_share(
            host, actor(request), household_id, raw, user_programmes(request), access
        )
    except FormErrors as exc:
        context = await household_context(request, household_id)
        context.update(share_values=raw, share_errors=exc.errors)
        return Template("households/detail.html", context=context, status_code=422)
    return Redirect(f"/households/{household_id}#shares", status_code=303)


@post("/households/{household_id:int}/shares/{share_id:int}/end", guards=[SHARE])
async def share_end(
    request: Request, household_id: FromPath[int], share_id: FromPath[int]
) -> Response:
    await check_household(request, household_id)
    await end_share(actor(request), share_id, household_id)
    return Redirect(f"/households/{household_id}#shares", status_code=303)


ROUTES += [share_create, share_end]
