"""Household pages: list and live search, creation and edition, the household file."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tremplin.audit_labels import READ_ACTIONS
from tremplin.dates import age_on
from tremplin.db import raw
from tremplin.forms import HOUSEHOLD_FIELDS, MEMBERSHIP_FIELDS, PERSON_FIELDS, FormErrors
from tremplin.models import Enrolment, User
from tremplin.permissions import can
from tremplin.policy import CONTACT_GROUP, HouseholdAccess
from tremplin.services import appointments as ap
from tremplin.services import audit
from tremplin.services import household_list as hl
from tremplin.services import households as hh
from tremplin.services.clock import today
from tremplin.services.corrections import CORRECTING_ROLES, correctable_steps
from tremplin.services.deadlines import due_dates_of_households
from tremplin.services.documents import DOCUMENT_KINDS, PREVIEW_TYPES, may_delete
from tremplin.services.enrolments import to_view
from tremplin.services.idempotency import run_once
from tremplin.services.shares import household_shares, shareable_groups
from tremplin.services.timeline import event_fields, list_events
from tremplin.types import EnrolmentPanel
from tremplin.values import CONTROL_CHARACTERS, has_control_characters
from tremplin.vocabulary import COMPOSITIONS, RELATIONS, RESOURCES, SITUATIONS
from tremplin.web.access import (
    CONTACT_FIELDS,
    access_for,
    audit_confidential,
    check_household,
    masked_contacts,
    visibility,
)
from tremplin.web.auth import requires
from tremplin.web.exports import collect_pages, export_response
from tremplin.web.formdata import form_dict, int_or_none, new_form_id
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")

_COMPOSITIONS = {c.value: c.label for c in COMPOSITIONS}
log = logging.getLogger("tremplin.pages")


async def _enrolment_tags(request: Request, ids: list[int]) -> dict[int, list[str]]:
    """Programme badges of a page of households, in one query (no query per row)."""
    if not ids:
        return {}
    host = app_context(request).host
    programmes = user_programmes(request) or [""]
    # Hand-written: Piccolo converts each of the page's ids one by one when building the query.
    # ("programme" || ''): the programme must not pick the index. Without statistics,
    # SQLite walked the covering (programme, state, entry_date, household) index over every
    # enrolment of the programme (8.7 ms at 100,000 households) instead of the page's 50
    # households through (household, programme).
    rows = await raw.fetch(
        'SELECT "household", "programme", "state" FROM "enrolment" '
        f'WHERE "household" IN ({raw.placeholders(len(ids))}) '
        f"AND (\"programme\" || '') IN ({raw.placeholders(len(programmes))})",
        *ids,
        *programmes,
    )
    tags: dict[int, list[str]] = {}
    for r in rows:
        state = host.workflows[r["programme"]].state(r["state"])
        tags.setdefault(r["household"], []).append(
            f"{host.programmes[r['programme']].name_fr} · {state.label}"
        )
    return tags


def _list_filters(request: Request, params: Any) -> hl.ListFilters:
    host = app_context(request).host
    programmes = {k: host.programmes[k] for k in user_programmes(request)}
    states = {s.key: s for k in programmes for s in host.workflows[k].states}
    return hl.parse_filters(params, programmes, states)


async def _filter_options(request: Request) -> dict[str, Any]:
    """The choices of the filter form: the user's programmes, their stages, the referents."""
    host = app_context(request).host
    keys = user_programmes(request)
    referents = await raw.fetch(
        'SELECT "id", "full_name" FROM "tremplin_user" '
        'WHERE "active" = {} AND "role" IN ({}, {}) ORDER BY "full_name"',
        True,
        "social_worker",
        "head_of_service",
    )
    return {
        "programme_choices": [(k, host.programmes[k].name_fr) for k in keys],
        "stage_choices": [
            (host.programmes[k].name_fr, [(s.key, s.label) for s in host.workflows[k].states])
            for k in keys
        ],
        "referent_choices": [(u["id"], u["full_name"]) for u in referents],
        "sort_labels": hl.SORT_LABELS,
    }


async def _list_context(
    request: Request, q: str, before: int | None, filters: hl.ListFilters
) -> dict[str, Any]:
    if has_control_characters(q):
        raise FormErrors({"q": CONTROL_CHARACTERS})
    rows, next_cursor = await hh.list_households(
        q,
        before_id=before,
        visible=visibility(request),
        where=filters.where(current_user(request).id),
        sort=filters.sort,
    )
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "q": q,
        "before": before,
        "filters": filters,
        "compositions": _COMPOSITIONS,
        "enrolments": await _enrolment_tags(request, [r["id"] for r in rows]),
    }


@get("/households", guards=[SOCIAL])
async def household_list(request: Request, before: FromQuery[int | None] = None) -> Template:
    filters = _list_filters(request, request.query_params)
    context = await _list_context(request, "", before, filters)
    if request.headers.get("hx-request") and request.headers.get("hx-target") != "household-list":
        return Template("households/_rows.html", context=context)
    context.update(await _filter_options(request))
    context["errors"] = filters.errors
    template = (
        "households/_list.html" if request.headers.get("hx-request") else "households/list.html"
    )
    return Template(template, context=context)


@post("/households/search", guards=[SOCIAL])
async def household_search(request: Request) -> Template:
    """Search by POST so that names typed never appear in a URL or an access log."""
    form = await form_dict(request)
    q = str(form.get("q", ""))[:100]
    filters = _list_filters(request, form)
    context = await _list_context(request, q, int_or_none(form.get("before")), filters)
    if request.headers.get("hx-request"):
        return Template("households/_rows.html", context=context)
    context.update(await _filter_options(request))
    return Template("households/list.html", context=context)


@get("/households/export", guards=[SOCIAL])
async def household_export(request: Request, fmt: FromQuery[str] = "csv") -> Response:
    """The current list (filters and sort of the URL, within what the user may see) as CSV
    or XLSX; one audit entry names the export and its size."""
    if fmt not in ("csv", "xlsx"):
        return await export_response(
            fmt, (), [], actor=actor(request), object_type="", filename="", title=""
        )
    filters = _list_filters(request, request.query_params)
    if filters.errors:
        return Response(
            "Filtres invalides : " + " ; ".join(filters.errors.values()),
            status_code=400,
            media_type="text/plain",
        )
    user = current_user(request)

    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        page, cursor = await hh.list_households(
            "",
            before_id=cursor,
            visible=visibility(request),
            where=filters.where(user.id),
            sort=filters.sort,
            limit=size,
        )
        tags = await _enrolment_tags(request, [r["id"] for r in page])
        for r in page:
            r["composition"] = _COMPOSITIONS.get(r["composition"], r["composition"])
            r["programmes"] = tags.get(r["id"], [])
        return page, cursor

    rows = await collect_pages(fetch)
    return await export_response(
        fmt,
        hl.EXPORT_COLUMNS,
        rows,
        actor=actor(request),
        object_type="household_list",
        filename="menages",
        title="Ménages",
    )


def _household_form(request: Request, status: int = 200, **context: Any) -> Template:
    context.setdefault("values", {})
    context.setdefault("errors", {})
    context.setdefault("form_id", new_form_id())
    context.setdefault("fields", _editable(context.get("household") or {}))
    return Template("households/form.html", context=context, status_code=status)


@get("/households/new", guards=[SOCIAL])
async def household_new(request: Request) -> Template:
    return _household_form(request, person_fields=PERSON_FIELDS)


@post("/households/new", guards=[SOCIAL])
async def household_create(request: Request) -> Response:
    raw = await form_dict(request)
    person = {k.removeprefix("person_"): v for k, v in raw.items() if k.startswith("person_")}

    async def create() -> str:
        household_id = await hh.create_household(actor(request), raw, person)
        return f"/households/{household_id}"

    try:
        target, _ = await run_once(raw.get("_form_id"), current_user(request).id, create)
    except FormErrors as exc:
        return _household_form(
            request,
            status=422,
            person_fields=PERSON_FIELDS,
            values=raw,
            errors=exc.errors,
            form_id=raw.get("_form_id") or new_form_id(),
        )
    return Redirect(target, status_code=303)


async def _panels(panels: list[EnrolmentPanel], row: dict[str, Any]) -> list[dict[str, Any]]:
    """Render the plugin panels of one enrolment; a failing panel becomes a notice."""
    out: list[dict[str, Any]] = []
    view = to_view(row)
    for panel in panels:
        if panel.programme != row["programme"]:
            continue
        try:
            out.append(
                {"key": panel.key, "template": panel.template, "context": await panel.context(view)}
            )
        except Exception:
            log.exception("enrolment panel %s (programme %s) failed", panel.key, panel.programme)
            out.append({"key": panel.key, "error": True, "plugin": panel.programme})
    return out


_ENROLMENT_JSON = tuple(c._meta.name for c in Enrolment._meta.json_columns)


async def household_context(
    request: Request, household_id: FromPath[int], access: HouseholdAccess | None = None
) -> dict[str, Any]:
    """Everything the household page shows, in a fixed number of queries.

    ``access`` is the policy's projection :func:`check_household` has just computed for
    this request (read-only pages pass it so the policy's queries run once); without it,
    it is computed here, after any write the request made.
    """
    host = app_context(request).host
    programmes = user_programmes(request)
    if access is None:
        access = await access_for(request, household_id)
    await audit_confidential(request, access)
    household = access.project_household(await hh.get_household(household_id))
    members = await hh.household_members(household_id)
    on = today()
    for m in members:
        m["age"] = age_on(m["birth_date"], on) if m["birth_date"] else None
    # The page's statements are hand-written (tremplin.db.raw): building them with Piccolo
    # cost more CPU than running them.
    keys = sorted(access.programmes) or [""]
    rows = await raw.fetch(
        f'SELECT {raw.columns(Enrolment)}, u."full_name" AS "referent_name" FROM "enrolment" '
        'LEFT JOIN "tremplin_user" AS u ON u."id" = "enrolment"."referent" '
        f'WHERE "enrolment"."household" = {{}} AND "enrolment"."programme" IN '
        f'({raw.placeholders(len(keys))}) ORDER BY "enrolment"."id" DESC',
        household_id,
        *keys,
        json=_ENROLMENT_JSON,
    )
    can_correct = getattr(current_user(request), "role", None) in CORRECTING_ROLES
    due = await due_dates_of_households([household_id], programmes)
    # Planned appointments, those of the last 60 days still to be marked done first.
    appointments = await ap.of_household(
        household_id,
        dt.datetime.now(dt.UTC) - dt.timedelta(days=60),
        dt.datetime.now(dt.UTC) + dt.timedelta(days=800),
        programmes=programmes,
        statuses=("planned",),
        limit=50,
    )
    enrolments = []
    for r in rows:
        r = {**r, "data": access.project_data(host, r["programme"], r["data"])}
        prog = host.programmes[r["programme"]]
        workflow = host.workflows[r["programme"]]
        state = workflow.state(r["state"])
        extra = [
            (f.label, f.label_of(r["data"].get(f.name)))
            for f in host.fields(r["programme"])
            if r["data"].get(f.name) not in (None, "", []) and access.field_visible(f)
        ]
        enrolments.append(
            {
                **r,
                "programme_name": prog.name_fr,
                "state_label": state.label,
                "phase": state.phase,
                "prescriber_label": prog.prescriber_label(r["prescriber"]),
                "destination_label": prog.destination_label(r["exit_destination"]),
                "transitions": workflow.available(r["state"]),
                "corrections": correctable_steps(r) if can_correct else [],
                "extra": extra,
                "panels": await _panels(host.enrolment_panels(r["programme"]), r),
                "due_dates": due.get(r["id"], []),
            }
        )
    household_panels = []
    for panel in sorted(host.call("tremplin_household_panels"), key=lambda p: (p.order, p.key)):
        try:
            args = (request,) if panel.with_request else ()
            panel_context = await panel.context(household_id, current_user(request), *args)
        except Exception:
            log.exception("household panel %s failed", panel.key)
            household_panels.append({"key": panel.key, "title": panel.title, "error": True})
            continue
        if panel_context is not None:
            household_panels.append(
                {
                    "key": panel.key,
                    "title": panel.title,
                    "template": panel.template,
                    "context": panel_context,
                }
            )
    documents = await raw.fetch(
        'SELECT "id", "filename", "kind", "size", "uploaded_at", "mime", "uploaded_by" '
        'FROM "document" WHERE "household" = {} ORDER BY "id" DESC',
        household_id,
    )
    user = current_user(request)
    for d in documents:
        d["previewable"] = d["mime"] in PREVIEW_TYPES
        d["deletable"] = may_delete(user, d)
    sharing = {}
    if can(user, "share"):
        share_programmes = [host.programmes[k] for k in programmes if k in access.programmes]
        partner_sql = 'SELECT "id", "name" FROM "partner_organisation"'
        kinds: list[str] = []
        if share_programmes and all(p.partner_kinds for p in share_programmes):
            # Only partners some programme of the household may be shared with (the server
            # checks the pair programme × partner again when the share is created).
            kinds = sorted({k for p in share_programmes for k in p.partner_kinds})
            partner_sql += f' WHERE "kind" IN ({raw.placeholders(len(kinds))})'
        sharing = {
            "shares": await household_shares(household_id),
            "partners": await raw.fetch(partner_sql + ' ORDER BY "name"', *kinds),
            "share_programmes": share_programmes,
            # Nobody shares what they may not see: masked contacts are not offered.
            "share_groups": {
                g.key: g.label
                for k in access.programmes
                for g in shareable_groups(host, k)
                if g.key != CONTACT_GROUP or access.contacts
            },
            "share_values": {
                "consent_date": on.isoformat(),
                "consent_expires": (on + dt.timedelta(days=365)).isoformat(),
            },
            "share_errors": {},
        }
    accesses = []
    if can(user, "audit"):
        # Opening the file or downloading its data; a name seen in a list is not.
        actions = sorted(READ_ACTIONS)
        accesses = await raw.fetch(
            'SELECT "at", "action", "user_id" FROM "audit_entry" '
            'WHERE "object_type" = {} AND "object_id" = {} '
            f'AND "action" IN ({raw.placeholders(len(actions))}) ORDER BY "id" DESC LIMIT 20',
            "household",
            household_id,
            *actions,
        )
        user_ids = sorted({a["user_id"] for a in accesses if a["user_id"]}) or [-1]
        names = {
            u["id"]: u["full_name"]
            for u in await raw.fetch(
                'SELECT "id", "full_name" FROM "tremplin_user" '
                f'WHERE "id" IN ({raw.placeholders(len(user_ids))})',
                *user_ids,
            )
        }
        for a in accesses:
            a["user_name"] = names.get(a["user_id"], "—")
    return {
        **sharing,
        "accesses": accesses,
        "show_accesses": can(user, "audit"),
        "can_see_sensitive": access.sensitive,
        "household": household,
        "members": members,
        "enrolments": enrolments,
        "today": today(),
        "appointments": appointments,
        "events": await list_events(household_id, programmes),
        "documents": documents,
        "household_panels": household_panels,
        "document_kinds": {c.value: c.label for c in DOCUMENT_KINDS},
        "programmes": [host.programmes[k] for k in programmes],
        "programme_names": {k: p.name_fr for k, p in host.programmes.items()},
        "event_labels": {k: e.label for k, e in host.event_types.items()},
        "relations": {c.value: c.label for c in RELATIONS},
        "composition_label": _COMPOSITIONS.get(household["composition"], ""),
        "resources_label": ", ".join(
            c.label for c in RESOURCES if c.value in (household["resources"] or [])
        ),
        "situation_label": next(
            (c.label for c in SITUATIONS if c.value == household["situation_before_entry"]), ""
        ),
        "member_fields": (*PERSON_FIELDS, *MEMBERSHIP_FIELDS),
        "member_values": {"start_date": on.isoformat()},
        "member_errors": {},
        "event_fields": event_fields(host, programmes),
        "event_values": {"occurred_on": on.isoformat(), "kind": "note"},
        "event_errors": {},
        "event_form_id": new_form_id(),
    }


@get("/households/{household_id:int}", guards=[SOCIAL])
async def household_detail(request: Request, household_id: FromPath[int]) -> Template:
    access = await check_household(request, household_id)
    context = await household_context(request, household_id, access)
    a = actor(request)
    await audit.record("read", "household", household_id, user_id=a.user_id, address=a.address)
    return Template("households/detail.html", context=context)


@get("/households/{household_id:int}/edit", guards=[SOCIAL])
async def household_edit(request: Request, household_id: FromPath[int]) -> Template:
    await check_household(request, household_id)
    household = await masked_contacts(request, await hh.get_household(household_id))
    return _household_form(
        request,
        household=household,
        values=household,
        version=household["version"],
        fields=_editable(household),
    )


def _editable(household: dict) -> tuple:
    """Masked contact details are neither shown nor editable."""
    if household.get("contacts_masked"):
        return tuple(f for f in HOUSEHOLD_FIELDS if f.name not in CONTACT_FIELDS)
    return HOUSEHOLD_FIELDS


@post("/households/{household_id:int}/edit", guards=[SOCIAL])
async def household_update(request: Request, household_id: FromPath[int]) -> Response:
    await check_household(request, household_id)
    raw = await form_dict(request)
    stored = await hh.get_household(household_id)
    household = await masked_contacts(request, stored)
    if household.get("contacts_masked"):
        raw.update({k: stored[k] for k in CONTACT_FIELDS})  # posting them has no effect
    version = int_or_none(raw.get("version")) or 0
    try:
        await hh.update_household(actor(request), household_id, version, raw)
    except FormErrors as exc:
        return _household_form(
            request,
            status=422,
            household=household,
            values=raw,
            errors=exc.errors,
            version=version,
        )
    except hh.ConflictError as exc:
        diff = {
            f.name: True
            for f in HOUSEHOLD_FIELDS
            if str(exc.current.get(f.name) or "") != str(raw.get(f.name) or "")
        }
        return _household_form(
            request,
            status=409,
            household=household,
            values=raw,
            conflict=exc.current,
            conflict_diff=diff,
            version=exc.current["version"],
        )
    return Redirect(f"/households/{household_id}", status_code=303)


@post("/households/{household_id:int}/members", guards=[SOCIAL])
async def member_add(request: Request, household_id: FromPath[int]) -> Response:
    await check_household(request, household_id)
    raw = await form_dict(request)
    try:
        await hh.add_member(actor(request), household_id, raw)
    except FormErrors as exc:
        context = await household_context(request, household_id)
        context.update(member_values=raw, member_errors=exc.errors)
        return Template("households/detail.html", context=context, status_code=422)
    return Redirect(f"/households/{household_id}#members", status_code=303)


async def referents() -> list[dict[str, Any]]:
    return (
        await User.select(User.id, User.full_name)
        .where(
            (User.role != "partner") & (User.active == True)  # noqa: E712
        )
        .order_by(User.full_name)
    )


ROUTES = [
    household_list,
    household_search,
    household_export,
    household_new,
    household_create,
    household_detail,
    household_edit,
    household_update,
    member_add,
]

__all__ = ["ROUTES", "household_context", "referents"]
