"""Archived files: only the archivist/DPO opens them, each time with a logged reason."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import Household, TimelineEvent
from tremplin.services import audit
from tremplin.services import households as hh
from tremplin.types import Field
from tremplin.web.auth import requires
from tremplin.web.formdata import form_dict
from tremplin.web.state import actor

ARCHIVE = requires("archive")
REASON = (Field("reason", N_("Motif de la consultation"), required=True, max_length=200),)


@get("/archives", guards=[ARCHIVE])
async def archive_list(request: Request) -> Template:
    rows = (
        await Household.select(Household.id, Household.reference, Household.archived_at)
        .where(Household.archived_at.is_not_null() & Household.anonymised_at.is_null())
        .order_by(Household.archived_at, ascending=False)
        .limit(500)
    )
    return Template("archives/list.html", context={"rows": rows, "errors": {}})


@post("/archives/{household_id:int}", guards=[ARCHIVE])
async def archive_open(request: Request, household_id: FromPath[int]) -> Template:
    raw = await form_dict(request)
    try:
        reason = validate(REASON, raw)["reason"]
    except FormErrors as exc:
        rows = await Household.select(
            Household.id, Household.reference, Household.archived_at
        ).where(Household.archived_at.is_not_null() & Household.anonymised_at.is_null())
        return Template(
            "archives/list.html",
            status_code=422,
            context={"rows": rows, "errors": exc.errors, "failed": household_id},
        )
    household = (
        await Household.select()
        .where((Household.id == household_id) & Household.archived_at.is_not_null())
        .output(load_json=True)
        .first()
    )
    if household is None:
        raise hh.NotFound(household_id)
    a = actor(request)
    await audit.record(
        "read_archived",
        "household",
        household_id,
        user_id=a.user_id,
        fields=[f"motif: {reason[:150]}"],
        address=a.address,
    )
    events = (
        await TimelineEvent.select(
            TimelineEvent.occurred_at,
            TimelineEvent.title,
            TimelineEvent.body,
        )
        .where(TimelineEvent.household == household_id)
        .order_by(TimelineEvent.occurred_at, ascending=False)
    )
    return Template(
        "archives/household.html",
        context={
            "household": household,
            "members": await hh.household_members(household_id),
            "events": events,
            "reason": reason,
        },
    )


ROUTES = [archive_list, archive_open]
