"""``/echeances``: every due date the user may see, filterable, earliest (overdue) first."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.response import Template

from tremplin.i18n import N_
from tremplin.models import User
from tremplin.services.clock import today
from tremplin.services.deadlines import ORDERS, DueFilter, count_due, list_due
from tremplin.types import Field, FieldError
from tremplin.web.auth import requires
from tremplin.web.exports import ExportColumn, collect_pages, export_response
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")

#: The choices of « Quand ».
WHEN = {
    "watch": N_("À surveiller (période d'alerte commencée)"),
    "overdue": N_("En retard"),
    "all": N_("Toutes"),
}
_DATE = Field("date", N_("Date"), kind="date")
#: The sorts of the list (``tri``): by due date, the earliest (so overdue) first by default;
#: by household (reference order) or by subject then programme, each household's or
#: subject's due dates earliest first. Each one walks an index (:data:`ORDERS`).
SORTS = {
    "": "Échéance la plus proche d'abord",
    "lointaine": "Échéance la plus lointaine d'abord",
    "menage": "Ménage (par référence)",
    "objet": "Objet, puis programme",
}
#: The order of :func:`tremplin.services.deadlines.list_due` behind each sort.
SORT_ORDERS = {"": "due", "lointaine": "due", "menage": "household", "objet": "subject"}


def _date(raw: str, errors: dict[str, str], name: str) -> dt.date | None:
    try:
        value = _DATE.parse(raw)
    except FieldError as exc:
        errors[name] = str(exc)
        return None
    return dt.date.fromisoformat(value) if value else None


def _cursor(raw: str, sort: str = "") -> tuple[Any, ...] | None:
    """The keyset cursor of ``apres``: ``date_id`` for the sorts by due date, else the
    order's values as base64url JSON (a subject may hold any character)."""
    if SORT_ORDERS.get(sort, "due") == "due":
        day, _, ident = raw.partition("_")
        try:
            return dt.date.fromisoformat(day), int(ident)
        except ValueError:
            return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        columns = ORDERS[SORT_ORDERS[sort]]
        if not isinstance(values, list) or len(values) != len(columns):
            return None
        return tuple(
            dt.date.fromisoformat(v) if c._meta.name == "due_on" else c.value_type(v)
            for c, v in zip(columns, values, strict=True)
        )
    except (ValueError, TypeError):
        return None


def _cursor_text(cursor: tuple[Any, ...] | None, sort: str) -> str | None:
    if cursor is None:
        return None
    if SORT_ORDERS.get(sort, "due") == "due":
        return f"{cursor[0].isoformat()}_{cursor[1]}"
    values = [v.isoformat() if isinstance(v, dt.date) else v for v in cursor]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def _filters(request: Request) -> tuple[DueFilter, dict[str, Any], dict[str, str]]:
    """The filter from the query string, the values to show back, and French errors."""
    q = request.query_params
    user = current_user(request)
    allowed = user_programmes(request)
    values = {
        "programme": str(q.get("programme", ""))[:50],
        "referent": str(q.get("referent", ""))[:20],
        "du": str(q.get("du", ""))[:20],
        "au": str(q.get("au", ""))[:20],
        "quand": str(q.get("quand", "")) or "watch",
        "tri": str(q.get("tri", ""))[:20],
    }
    if values["tri"] not in SORTS:
        values["tri"] = ""
    errors: dict[str, str] = {}
    programmes = tuple(allowed)
    if values["programme"]:
        if values["programme"] in allowed:
            programmes = (values["programme"],)
        else:
            errors["programme"] = N_("programme inconnu ou hors de vos programmes")
    referent: int | None = None
    if values["referent"] == "me":
        referent = user.id
    elif values["referent"]:
        try:
            referent = int(values["referent"])
        except ValueError:
            errors["referent"] = N_("référent inconnu")
        if referent is not None and not -(2**31) < referent < 2**31:
            errors["referent"], referent = "référent inconnu", None
    start = _date(values["du"], errors, "du")
    end = _date(values["au"], errors, "au")
    if start and end and end < start:
        errors["au"] = N_("la fin de la période précède son début")
    if values["quand"] not in WHEN:
        errors["quand"] = N_("choix inconnu")
        values["quand"] = "watch"
    day = today()
    f = DueFilter(
        programmes=programmes,
        referent=referent,
        start=start,
        end=end,
        # An explicit period shows every due date in it, unless « en retard » is asked.
        watch_on=day if values["quand"] == "watch" and not (start or end) else None,
        overdue_on=day if values["quand"] == "overdue" else None,
    )
    return f, values, errors


@get("/echeances", guards=[SOCIAL])
async def due_dates_page(request: Request) -> Template:
    f, values, errors = await _filters(request)
    host = app_context(request).host
    after = _cursor(str(request.query_params.get("apres", ""))[:600], values["tri"])
    if errors:
        rows: list[dict[str, Any]]
        total: int | None
        rows, cursor, total = [], None, 0
    else:
        rows, cursor = await list_due(
            f,
            after=after,
            descending=values["tri"] == "lointaine",
            order=SORT_ORDERS[values["tri"]],
        )
        total = await count_due(f) if after is None else None
    query = urlencode({k: v for k, v in values.items() if v})
    other = {**values, "tri": "lointaine" if values["tri"] == "" else ""}

    def sort_query(tri: str) -> str:
        return urlencode({k: v for k, v in {**values, "tri": tri}.items() if v})

    context = {
        "sort_query": urlencode({k: v for k, v in other.items() if v}),
        "sort_query_for": sort_query,
        "rows": rows,
        "next_cursor": _cursor_text(cursor, values["tri"]),
        "query": query,
        "total": total,
        "values": values,
        "errors": errors,
        "today": today(),
        "when": WHEN,
        "programmes": [host.programmes[k] for k in user_programmes(request)],
        "programme_names": {k: p.name_fr for k, p in host.programmes.items()},
        "referents": await User.select(User.id, User.full_name)
        .where((User.role != "partner") & (User.active == True))  # noqa: E712 (SQL)
        .order_by(User.full_name),
        "after": after,
    }
    fragment = request.headers.get("hx-request") and after is not None
    template = "deadlines/_rows.html" if fragment else "deadlines/list.html"
    return Template(template, context=context, status_code=400 if errors else 200)


#: Columns of the due dates export (the list on screen).
EXPORT_COLUMNS = (
    ExportColumn("due_on", N_("Échéance"), 12),
    ExportColumn("label", N_("Objet"), 40),
    ExportColumn("reference", N_("Référence"), 12),
    ExportColumn("name", N_("Ménage"), 30),
    ExportColumn("programme_name", N_("Programme"), 28),
    ExportColumn("referent_name", N_("Référent"), 24),
)


@get("/echeances/export", guards=[SOCIAL])
async def due_dates_export(request: Request, fmt: str = "csv") -> Response:
    """The due dates as filtered in the URL, earliest first, as CSV or XLSX (audited)."""
    f, values, errors = await _filters(request)
    if errors:
        return Response(
            "Filtres invalides : " + " ; ".join(errors.values()),
            status_code=400,
            media_type="text/plain",
        )
    names = {k: p.name_fr for k, p in app_context(request).host.programmes.items()}

    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        return await list_due(
            f,
            after=cursor,
            limit=size,
            descending=values["tri"] == "lointaine",
            order=SORT_ORDERS[values["tri"]],
        )

    rows = await collect_pages(fetch) if fmt in ("csv", "xlsx") else []
    for r in rows:
        r["programme_name"] = names.get(r["programme"], r["programme"])
    return await export_response(
        fmt,
        EXPORT_COLUMNS,
        rows,
        actor=actor(request),
        object_type="due_date_list",
        filename="echeances",
        title="Échéances",
    )


ROUTES = [due_dates_page, due_dates_export]
