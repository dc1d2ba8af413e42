"""``/echeances``: every due date the user may see, filterable, earliest (overdue) first."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.response import Template

from tremplin.i18n import N_
from tremplin.models import User
from tremplin.services.clock import today
from tremplin.services.deadlines import DueFilter, count_due, list_due
from tremplin.types import Field, FieldError
from tremplin.web.auth import requires
from tremplin.web.exports import EXPORT_LIMIT, ExportColumn, export_response
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")

#: The choices of « Quand ».
WHEN = {
    "watch": N_("À surveiller (période d'alerte commencée)"),
    "overdue": N_("En retard"),
    "all": N_("Toutes"),
}
_DATE = Field("date", N_("Date"), kind="date")


def _date(raw: str, errors: dict[str, str], name: str) -> dt.date | None:
    try:
        value = _DATE.parse(raw)
    except FieldError as exc:
        errors[name] = str(exc)
        return None
    return dt.date.fromisoformat(value) if value else None


def _cursor(raw: str) -> tuple[dt.date, int] | None:
    day, _, ident = raw.partition("_")
    try:
        return dt.date.fromisoformat(day), int(ident)
    except ValueError:
        return None


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
    }
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
    after = _cursor(str(request.query_params.get("apres", ""))[:40])
    if errors:
        rows, cursor, total = [], None, 0
    else:
        rows, cursor = await list_due(f, after=after)
        total = await count_due(f) if after is None else None
    query = urlencode({k: v for k, v in values.items() if v})
    context = {
        "rows": rows,
        "next_cursor": f"{cursor[0].isoformat()}_{cursor[1]}" if cursor else None,
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
    f, _values, errors = await _filters(request)
    if errors:
        return Response(
            "Filtres invalides : " + " ; ".join(errors.values()),
            status_code=400,
            media_type="text/plain",
        )
    names = {k: p.name_fr for k, p in app_context(request).host.programmes.items()}
    rows: list[dict[str, Any]] = []
    cursor = None
    if fmt in ("csv", "xlsx"):
        while len(rows) < EXPORT_LIMIT:
            page, cursor = await list_due(f, after=cursor, limit=500)
            for r in page:
                r["programme_name"] = names.get(r["programme"], r["programme"])
            rows.extend(page)
            if cursor is None:
                break
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
