"""The steering committee (*comité de pilotage*) of the young workers' sliding-lease path:
it meets every two months and decides on each situation (retained, postponed, refused,
support continued, lease sliding validated, end). The workflow's guards read its decisions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    N_,
    DashboardContext,
    DashboardRow,
    Enrolments,
    EnrolmentView,
    Field,
    FormErrors,
    actor,
    add_months,
    audit,
    check_household,
    domain,
    form_dict,
    format_date,
    now,
    redirect_after_write,
    requires,
    today,
    transaction,
    validate,
)
from tremplin_cllaj.common import require_cllaj
from tremplin_cllaj.rules import (
    COMMITTEE_DECISIONS,
    COMMITTEE_EVERY_MONTHS,
    GLISSANT,
    label,
    next_committee,
    sliding_due,
)
from tremplin_cllaj.tables import CommitteeDecision, CommitteeMeeting

gettext = domain(__name__).gettext

PAGE_SIZE = 50
#: Situations the committee follows: not yet closed.
OPEN_STATES = ("referral", "diagnosed", "retained", "housed")
MEETING_FIELDS = (
    Field("held_on", N_("Date du comité"), kind="date", required=True),
    Field(
        "notes", N_("Relevé de décisions, partenaires présents"), kind="textarea", max_length=4000
    ),
)
DECISION_FIELDS = (
    Field("enrolment", N_("Situation"), kind="int", required=True),
    Field("decision", N_("Décision"), kind="choice", required=True, choices=COMMITTEE_DECISIONS),
    Field("comment", N_("Commentaire"), max_length=500),
)
SOCIAL = requires("social")


async def create_meeting(raw: dict[str, Any], user_id: int | None, address: str) -> int:
    values = validate(MEETING_FIELDS, raw)
    async with transaction():
        row = await CommitteeMeeting.insert(
            CommitteeMeeting(
                held_on=dt.date.fromisoformat(values["held_on"]),
                notes=values["notes"] or "",
                created_by=user_id,
                created_at=now(),
            )
        ).returning(CommitteeMeeting.id)
        await audit(
            "create",
            "cllaj_committee",
            row[0]["id"],
            user_id=user_id,
            fields=values.keys(),
            address=address,
        )
    return row[0]["id"]


async def record_decision(
    meeting_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> int:
    """Record (or correct) the committee's decision on one situation; returns the household."""
    values = validate(DECISION_FIELDS, raw)
    async with transaction():
        meeting = (
            await CommitteeMeeting.select(CommitteeMeeting.id)
            .where(CommitteeMeeting.id == meeting_id)
            .first()
        )
        if meeting is None:
            raise LookupError(meeting_id)
        enrolment = (
            await Enrolments.select(Enrolments.household, Enrolments.state)
            .where((Enrolments.id == values["enrolment"]) & (Enrolments.programme == GLISSANT))
            .first()
        )
        if enrolment is None:
            raise FormErrors({"enrolment": "situation inconnue"})
        existing = (
            await CommitteeDecision.select(CommitteeDecision.id)
            .where(
                (CommitteeDecision.meeting == meeting_id)
                & (CommitteeDecision.enrolment == values["enrolment"])
            )
            .first()
        )
        if existing:
            await CommitteeDecision.update(
                {
                    CommitteeDecision.decision: values["decision"],
                    CommitteeDecision.comment: values["comment"] or "",
                }
            ).where(CommitteeDecision.id == existing["id"])
        else:
            await CommitteeDecision.insert(
                CommitteeDecision(
                    meeting=meeting_id,
                    enrolment=values["enrolment"],
                    decision=values["decision"],
                    comment=values["comment"] or "",
                    created_by=user_id,
                    created_at=now(),
                )
            )
        await audit(
            "committee_decision",
            "enrolment",
            values["enrolment"],
            user_id=user_id,
            fields=["decision", "comment"],
            address=address,
        )
    return enrolment["household"]


async def meeting_list(after: int | None) -> tuple[list[dict[str, Any]], int | None]:
    """Meetings, latest first (keyset on id, which follows the order they are recorded)."""
    query = CommitteeMeeting.select()
    if after:
        query = query.where(CommitteeMeeting.id < after)
    rows = await query.order_by(CommitteeMeeting.id, ascending=False).limit(PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1]["id"] if more else None)


async def last_meeting_date() -> dt.date | None:
    row = (
        await CommitteeMeeting.select(CommitteeMeeting.held_on)
        .order_by(CommitteeMeeting.held_on, ascending=False)
        .first()
    )
    return row["held_on"] if row else None


async def situations(meeting_id: int) -> list[dict[str, Any]]:
    """Every open situation, and those decided at this meeting, with this meeting's decision."""
    decided = {
        d["enrolment"]: d
        for d in await CommitteeDecision.select().where(CommitteeDecision.meeting == meeting_id)
    }
    rows = (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.household,
            Enrolments.state,
            Enrolments.entry_date,
            Enrolments.household.name.as_alias("name"),
        )
        .where(
            (Enrolments.programme == GLISSANT)
            & Enrolments.household.archived_at.is_null()
            & (
                Enrolments.state.is_in(list(OPEN_STATES))
                | Enrolments.id.is_in(list(decided) or [-1])
            )
        )
        .order_by(Enrolments.household.name)
    )
    for r in rows:
        d = decided.get(r["id"])
        r["decision"] = d["decision"] if d else ""
        r["comment"] = d["comment"] if d else ""
    return rows


def _page(template: str, context: dict[str, Any], status: int = 200) -> Template:
    from tremplin_cllaj.workflows import GLISSANT_WORKFLOW

    return Template(
        f"cllaj/{template}",
        status_code=status,
        context={
            "decisions": {c.value: c.label for c in COMMITTEE_DECISIONS},
            "state_label": lambda key: GLISSANT_WORKFLOW.state(key).label,
            **context,
        },
    )


async def _list_context(after: int | None, values=None, errors=None) -> dict[str, Any]:
    rows, next_cursor = await meeting_list(after)
    last = await last_meeting_date()
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "after": after,
        "next_due": next_committee(last),
        "fields": MEETING_FIELDS,
        "values": values or {"held_on": today().isoformat()},
        "errors": errors or {},
    }


@get("/cllaj/committees", guards=[SOCIAL])
async def committees(request: HTMXRequest, after: FromQuery[int | None] = None) -> Template:
    require_cllaj(request, GLISSANT)
    context = await _list_context(after)
    return _page("_committee_rows.html" if request.htmx and after else "committees.html", context)


@post("/cllaj/committees", guards=[SOCIAL])
async def committee_create(request: Request) -> Response:
    require_cllaj(request, GLISSANT)
    raw = await form_dict(request)
    a = actor(request)
    try:
        meeting_id = await create_meeting(raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page("committees.html", await _list_context(None, raw, exc.errors), 422)
    return redirect_after_write(request, f"/cllaj/committees/{meeting_id}")


async def _meeting(meeting_id: int) -> dict[str, Any]:
    row = await CommitteeMeeting.select().where(CommitteeMeeting.id == meeting_id).first()
    if row is None:
        raise NotFoundException()
    return row


@get("/cllaj/committees/{meeting_id:int}", guards=[SOCIAL])
async def committee_page(request: Request, meeting_id: FromPath[int]) -> Template:
    require_cllaj(request, GLISSANT)
    meeting = await _meeting(meeting_id)
    a = actor(request)
    await audit("read", "cllaj_committee", meeting_id, user_id=a.user_id, address=a.address)
    return _page(
        "committee.html",
        {
            "meeting": meeting,
            "rows": await situations(meeting_id),
            "errors": {},
            "values": {},
            "error_for": None,
        },
    )


@post("/cllaj/committees/{meeting_id:int}/decisions", guards=[SOCIAL])
async def decision_create(request: Request, meeting_id: FromPath[int]) -> Response:
    require_cllaj(request, GLISSANT)
    meeting = await _meeting(meeting_id)
    raw = await form_dict(request)
    enrolment = str(raw.get("enrolment") or "")
    if enrolment.isdigit():
        row = (
            await Enrolments.select(Enrolments.household)
            .where((Enrolments.id == int(enrolment)) & (Enrolments.programme == GLISSANT))
            .first()
        )
        if row is None:
            raise NotFoundException()
        await check_household(request, row["household"])
    a = actor(request)
    try:
        await record_decision(meeting_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page(
            "committee.html",
            {
                "meeting": meeting,
                "rows": await situations(meeting_id),
                "errors": exc.errors,
                "values": raw,
                "error_for": int(enrolment) if enrolment.isdigit() else None,
            },
            422,
        )
    return redirect_after_write(request, f"/cllaj/committees/{meeting_id}")


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    rows = (
        await CommitteeDecision.select(
            CommitteeDecision.decision,
            CommitteeDecision.comment,
            CommitteeDecision.meeting,
            CommitteeDecision.meeting.held_on.as_alias("held_on"),
        )
        .where(CommitteeDecision.enrolment == enrolment.id)
        .order_by(CommitteeDecision.meeting.held_on)
    )
    for r in rows:
        r["label"] = label(COMMITTEE_DECISIONS, r["decision"])
    data = enrolment.data
    return {
        "decisions": rows,
        "sliding_due": sliding_due(enrolment.entry_date) if enrolment.entry_date else None,
        "housing_demand_number": data.get("housing_demand_number") or "",
        "liaison_form_date": data.get("liaison_form_date"),
        "diagnostic_date": data.get("diagnostic_date"),
        "housed": enrolment.state == "housed",
    }


async def committee_due(ctx: DashboardContext) -> list[DashboardRow]:
    """The next committee (two months after the last one) when due within 15 days, and the
    open situations no committee has examined for more than two months."""
    out: list[DashboardRow] = []
    last = await last_meeting_date()
    due = next_committee(last)
    # due is None only when last is None (next_committee)
    if last is None or (due - ctx.today).days <= 15:  # type: ignore[operator]
        out.append(
            DashboardRow(
                N_("Comité de pilotage"),
                "/cllaj/committees",
                gettext("aucun comité enregistré")
                if last is None
                else gettext("prochain comité à tenir avant le {due} (dernier le {last})").format(
                    due=format_date(due), last=format_date(last)
                ),
            )
        )
    limit = add_months(ctx.today, -COMMITTEE_EVERY_MONTHS)
    rows = await Enrolments.select(
        Enrolments.id,
        Enrolments.household,
        Enrolments.referral_date,
        Enrolments.household.name.as_alias("name"),
    ).where(
        (Enrolments.programme == GLISSANT)
        & Enrolments.state.is_in(list(OPEN_STATES))
        & Enrolments.household.archived_at.is_null()
    )
    if rows:
        seen: dict[int, dt.date] = {}
        for d in await CommitteeDecision.select(
            CommitteeDecision.enrolment, CommitteeDecision.meeting.held_on.as_alias("held_on")
        ).where(CommitteeDecision.enrolment.is_in([r["id"] for r in rows])):
            seen[d["enrolment"]] = max(seen.get(d["enrolment"], d["held_on"]), d["held_on"])
        for r in sorted(rows, key=lambda r: r["name"]):
            since = seen.get(r["id"]) or r["referral_date"]
            if since < limit:
                detail = (
                    f"dernier examen en comité le {seen[r['id']]:%d/%m/%Y}"
                    if r["id"] in seen
                    else "jamais présentée en comité"
                )
                out.append(DashboardRow(r["name"], f"/households/{r['household']}", detail))
    return out
