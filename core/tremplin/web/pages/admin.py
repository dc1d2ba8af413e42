"""Administration pages: the audit trail search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, get, post
from litestar.response import Template

from tremplin.models import AuditEntry, User
from tremplin.services import audit
from tremplin.web.auth import requires
from tremplin.web.formdata import form_dict, int_or_none
from tremplin.web.state import actor

AUDIT = requires("audit")
PAGE = 100


async def _search(filters: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None]:
    query = AuditEntry.select()
    if filters.get("user"):
        users = await User.select(User.id).where(
            User.email.like(f"%{str(filters['user']).strip().lower()}%")
        )
        query = query.where(AuditEntry.user_id.is_in([u["id"] for u in users] or [-1]))
    if filters.get("action"):
        query = query.where(AuditEntry.action == filters["action"])
    if filters.get("object_type"):
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if int_or_none(filters.get("object_id")) is not None:
        query = query.where(AuditEntry.object_id == int(filters["object_id"]))
    for key, op in (("since", "ge"), ("until", "lt")):
        if filters.get(key):
            try:
                day = dt.date.fromisoformat(filters[key])
            except ValueError:
                continue
            moment = dt.datetime.combine(
                day + dt.timedelta(days=1 if op == "lt" else 0), dt.time(), tzinfo=dt.UTC
            )
            query = query.where(AuditEntry.at >= moment if op == "ge" else AuditEntry.at < moment)
    if int_or_none(filters.get("before")) is not None:
        query = query.where(AuditEntry.id < int(filters["before"]))
    rows = (
        await query.order_by(AuditEntry.id, ascending=False).limit(PAGE + 1).output(load_json=True)
    )
    ids = {r["user_id"] for r in rows if r["user_id"]}
    names = {
        u["id"]: u["email"]
        for u in await User.select(User.id, User.email).where(User.id.is_in(list(ids) or [-1]))
    }
    for r in rows:
        r["user_email"] = names.get(r["user_id"], "")
    cursor = rows[PAGE - 1]["id"] if len(rows) > PAGE else None
    return rows[:PAGE], cursor


@get("/admin/audit", guards=[AUDIT])
async def audit_page(request: Request) -> Template:
    rows, cursor = await _search({})
    return Template(
        "admin/audit.html", context={"rows": rows, "cursor": cursor, "filters": {}, "broken": None}
    )


@post("/admin/audit", guards=[AUDIT])
async def audit_search(request: Request) -> Template:
    """Search by POST: a person's e-mail typed as a filter never goes into a URL."""
    filters = await form_dict(request)
    rows, cursor = await _search(filters)
    broken = await audit.verify_chain() if filters.get("verify") else None
    a = actor(request)
    await audit.record(
        "audit_search",
        "audit",
        None,
        user_id=a.user_id,
        fields=[k for k, v in filters.items() if v],
        address=a.address,
    )
    return Template(
        "admin/audit.html",
        context={
            "rows": rows,
            "cursor": cursor,
            "filters": filters,
            "broken": broken,
            "verified": bool(filters.get("verify")),
        },
    )


ROUTES = [audit_page, audit_search]
