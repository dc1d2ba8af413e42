"""Data-protection pages: a person's data export (right of access) and the register."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from tremplin.errors import NotFound
from tremplin.models import Document, Enrolment, Membership, Person, TimelineEvent
from tremplin.register import dpia_template, processing_register
from tremplin.services import audit
from tremplin.services.clock import zone
from tremplin.services.documents import DOCUMENT_KINDS
from tremplin.vocabulary import RELATIONS
from tremplin.web.access import check_household
from tremplin.web.auth import requires
from tremplin.web.state import actor, app_context, user_programmes

SOCIAL = requires("social")
ADMIN = requires("admin")


async def person_export_data(request: Request, person_id: int) -> dict:
    person = (
        await Person.select(
            Person.id,
            Person.first_name,
            Person.last_name,
            Person.birth_date,
            Person.sex,
            Person.nationality,
            Person.created_at,
        )
        .where(Person.id == person_id)
        .first()
    )
    if person is None:
        raise NotFoundException()
    memberships = await Membership.select(
        Membership.household,
        Membership.relation,
        Membership.start_date,
        Membership.end_date,
        Membership.household.reference.as_alias("reference"),
    ).where(Membership.person == person_id)
    visible = []
    # The access policy decides, household by household, which programmes' enrolments and
    # notes this user sees: a programme-restricted worker exports only theirs.
    seen: dict[int, frozenset[str]] = {}
    for m in memberships:
        try:
            access = await check_household(request, m["household"])
        except NotFound:
            continue
        visible.append(m)
        seen[m["household"]] = access.programmes | frozenset(
            p for p in user_programmes(request) if p not in access.enrolled
        )
    if not visible:
        raise NotFoundException()
    ids = list(seen)
    enrolments = [
        e
        for e in await Enrolment.select(
            Enrolment.household,
            Enrolment.programme,
            Enrolment.state,
            Enrolment.referral_date,
            Enrolment.entry_date,
            Enrolment.exit_date,
            Enrolment.exit_destination,
        ).where(Enrolment.household.is_in(ids))
        if e["programme"] in seen[e["household"]]
    ]
    events = [
        {k: v for k, v in e.items() if k != "programme"}
        for e in await TimelineEvent.select(
            TimelineEvent.household,
            TimelineEvent.programme,
            TimelineEvent.occurred_at,
            TimelineEvent.title,
            TimelineEvent.body,
        )
        .where(TimelineEvent.household.is_in(ids))
        .order_by(TimelineEvent.occurred_at)
        if not e["programme"] or e["programme"] in seen[e["household"]]
    ]
    documents = await Document.select(
        Document.household,
        Document.filename,
        Document.kind,
        Document.uploaded_at,
    ).where(Document.household.is_in(ids))
    host = app_context(request).host
    relations = {c.value: c.label for c in RELATIONS}
    kinds = {c.value: c.label for c in DOCUMENT_KINDS}
    sexes = {"F": "femme", "M": "homme", "X": "autre"}
    person = {**person, "sex": sexes.get(person["sex"], person["sex"])}
    return json.loads(
        json.dumps(
            {
                "person": person,
                "households": [
                    {**m, "relation": relations.get(m["relation"], m["relation"])} for m in visible
                ],
                "enrolments": [
                    {
                        **e,
                        "programme": host.programmes[e["programme"]].name_fr
                        if e["programme"] in host.programmes
                        else e["programme"],
                        "state": host.workflows[e["programme"]].state(e["state"]).label
                        if e["programme"] in host.workflows
                        else e["state"],
                    }
                    for e in enrolments
                ],
                "timeline": events,
                "documents": [{**d, "kind": kinds.get(d["kind"], d["kind"])} for d in documents],
            },
            default=_french,
        )
    )


def _french(value: Any) -> str:
    """Dates and times as a French reader expects them, in the association's time zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(zone()).strftime("%d/%m/%Y à %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@get("/people/{person_id:int}/export.json", guards=[SOCIAL])
async def person_export(request: Request, person_id: FromPath[int]) -> Response:
    """Everything Tremplin holds about a person, for a right-of-access request (RGPD art. 15)."""
    data = await person_export_data(request, person_id)
    a = actor(request)
    await audit.record("export", "person", person_id, user_id=a.user_id, address=a.address)
    return Response(
        content=json.dumps(data, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="donnees-personne-{person_id}.json"'
        },
    )


@get("/people/{person_id:int}/export.pdf", guards=[SOCIAL])
async def person_export_pdf(request: Request, person_id: FromPath[int]) -> Response:
    import typst

    from tremplin.reports.export import TEMPLATE

    data = await person_export_data(request, person_id)
    pdf = typst.compile(
        str(TEMPLATE.parent / "person_export.typ"),
        root=str(TEMPLATE.parent),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
        timestamp=0,
    )
    a = actor(request)
    await audit.record(
        "export", "person", person_id, user_id=a.user_id, fields=["pdf"], address=a.address
    )
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="donnees-personne-{person_id}.pdf"'},
    )


@get("/admin/register/{kind:str}", guards=[ADMIN])
async def register_download(request: Request, kind: FromPath[str]) -> Response:
    ctx = app_context(request)
    if kind == "registre.md":
        text = processing_register(ctx.host, ctx.settings)
    elif kind == "aipd.md":
        text = dpia_template(ctx.host, ctx.settings)
    else:
        raise NotFoundException()
    return Response(
        content=text.encode(),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}"'},
    )


ROUTES = [person_export, person_export_pdf, register_download]
