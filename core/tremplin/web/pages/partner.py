"""The partner area: only the households shared with the partner's organisation, and only
the groups of information each share names. Checked on every request."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tremplin.dates import age_on
from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import audit
from tremplin.services import households as hh
from tremplin.services.clock import now, today
from tremplin.services.shares import active_shares
from tremplin.types import Field
from tremplin.vocabulary import COMPOSITIONS, RELATIONS
from tremplin.web.access import access_for
from tremplin.web.auth import partner_only
from tremplin.web.formdata import form_dict
from tremplin.web.state import actor, app_context, current_user

NOTE_FIELDS = (Field("body", N_("Note"), kind="textarea", required=True),)

log = logging.getLogger("tremplin.pages")


async def _computed_items(
    host: Any, programme: str, shown: set[str], household_id: int
) -> list[tuple[str, str]]:
    """(label, value) of the partner items of ``programme`` whose group is shared."""
    items = [i for i in host.partner_items(programme) if i.group in shown]
    out = []
    for item in items:
        try:
            value = await item.value(household_id)
        except Exception:
            log.exception("partner item %s (programme %s) failed", item.key, programme)
            continue
        if value:
            out.append((item.label, value))
    return out


async def _shares(request: Request, household_id: int | None = None) -> list[dict[str, Any]]:
    user = current_user(request)
    return await active_shares(user.partner, app_context(request).host.programme_keys, household_id)


@get("/partner", guards=[partner_only])
async def partner_home(request: Request) -> Template:
    shares = await _shares(request)
    host = app_context(request).host
    rows: dict[int, dict[str, Any]] = {}
    for s in shares:
        row = rows.setdefault(
            s["household"],
            {"id": s["household"], "reference": s["reference"], "name": None, "programmes": []},
        )
        if "identity" in s["groups"]:
            row["name"] = s["name"]
        row["programmes"].append(host.programmes[s["programme"]].name_fr)
    return Template("partner/list.html", context={"rows": list(rows.values())})


async def _context(request: Request, household_id: int) -> dict[str, Any]:
    access = await access_for(request, household_id)
    if not access.visible or access.partner_kind is None:
        raise hh.NotFound(household_id)
    host = app_context(request).host
    groups = {k: set(v) for k, v in access.partner_groups.items()}
    every = set(access.shared_groups)
    household = await hh.get_household(household_id)
    context: dict[str, Any] = {
        "household_id": household_id,
        "reference": household["reference"],
        "groups": every,
    }
    if "identity" in every:
        members = await hh.household_members(household_id, include_past=False)
        on = today()
        context["name"] = household["name"]
        context["composition"] = dict((c.value, c.label) for c in COMPOSITIONS).get(
            household["composition"], ""
        )
        context["members"] = [
            {
                "first_name": m["first_name"],
                "relation": dict((c.value, c.label) for c in RELATIONS).get(m["relation"], ""),
                "age": None if m["birth_date"] is None else age_on(m["birth_date"], on),
            }
            for m in members
        ]
    if access.contacts:
        # The policy's rule: shared, and every confidential programme of the household
        # lets this kind of partner receive them, whichever programme the share names.
        context["contact"] = {k: household[k] for k in ("address", "phone", "email")}
        a = actor(request)
        await audit.record(
            "read_confidential",
            "household",
            household_id,
            user_id=a.user_id,
            fields=["address", "phone", "email"],
            address=a.address,
        )
    enrolments = []
    rows = (
        await Enrolment.select()
        .where((Enrolment.household == household_id) & Enrolment.programme.is_in(list(groups)))
        .output(load_json=True)
    )
    for r in rows:
        shown = groups[r["programme"]]
        items = await _computed_items(host, r["programme"], shown, household_id)
        if (
            "enrolment" not in shown
            and not items
            and not any(f.group in shown for f in host.fields(r["programme"]))
        ):
            continue
        workflow = host.workflows[r["programme"]]
        enrolments.append(
            {
                "programme": host.programmes[r["programme"]].name_fr,
                "state": workflow.state(r["state"]).label if "enrolment" in shown else None,
                "dates": [
                    (label, r[key])
                    for key, label in (
                        ("referral_date", "Orientation"),
                        ("entry_date", "Entrée"),
                        ("exit_date", "Sortie"),
                    )
                    if r[key]
                ]
                if "enrolment" in shown
                else [],
                "fields": [
                    (f.label, f.label_of(r["data"].get(f.name)))
                    for f in host.fields(r["programme"])
                    if f.group in shown
                    and access.field_visible(f)
                    and r["data"].get(f.name) not in (None, "", [])
                ],
                "computed": items,
            }
        )
    context["enrolments"] = enrolments
    note_programmes = [p for p, g in groups.items() if "shared_notes" in g]
    if note_programmes:
        context["events"] = (
            await TimelineEvent.select(
                TimelineEvent.id,
                TimelineEvent.occurred_at,
                TimelineEvent.title,
                TimelineEvent.body,
                TimelineEvent.author.full_name.as_alias("author_name"),
            )
            .where(
                (TimelineEvent.household == household_id)
                & (TimelineEvent.visibility == "partner")
                & TimelineEvent.programme.is_in(note_programmes)
            )
            .order_by(TimelineEvent.occurred_at, ascending=False)
            .limit(100)
        )
    context["can_write"] = [p for p in note_programmes if host.programmes[p].partner_notes]
    context["note_values"], context["note_errors"] = {}, {}
    return context


@get("/partner/households/{household_id:int}", guards=[partner_only])
async def partner_household(request: Request, household_id: FromPath[int]) -> Template:
    context = await _context(request, household_id)
    a = actor(request)
    await audit.record(
        "read",
        "household",
        household_id,
        user_id=a.user_id,
        fields=sorted(context["groups"]),
        address=a.address,
    )
    return Template("partner/household.html", context=context)


@post("/partner/households/{household_id:int}/notes", guards=[partner_only])
async def partner_note(request: Request, household_id: FromPath[int]) -> Response:
    context = await _context(request, household_id)
    if not context["can_write"]:
        raise hh.NotFound(household_id)
    raw = await form_dict(request)
    try:
        values = validate(NOTE_FIELDS, raw)
    except FormErrors as exc:
        context.update(note_values=raw, note_errors=exc.errors)
        return Template("partner/household.html", context=context, status_code=422)
    a = actor(request)
    current = now()
    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="note",
            occurred_at=current,
            author=a.user_id,
            programme=context["can_write"][0],
            visibility="partner",
            title="Note du partenaire",
            body=values["body"],
            created_at=current,
        )
    )
    await audit.record(
        "add_event",
        "household",
        household_id,
        user_id=a.user_id,
        fields=["timeline"],
        address=a.address,
    )
    return Redirect(f"/partner/households/{household_id}", status_code=303)


ROUTES = [partner_home, partner_household, partner_note]
