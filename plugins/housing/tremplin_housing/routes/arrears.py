"""The monthly rent-call run and the monthly arrears review."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from piccolo.query.functions.aggregate import Count

from tremplin.api import (
    N_,
    ConflictError,
    Enrolments,
    ExportColumn,
    FormErrors,
    Users,
    actor,
    check_household,
    collect_pages,
    conflict_rows,
    export_response,
    form_dict,
    household_filter,
    programme_filter,
    programme_names,
    redirect_after_write,
    roles,
    today,
)
from tremplin_housing.access import RENTAL
from tremplin_housing.arrears import record_step, review_count, review_page
from tremplin_housing.calc import add_months, month_bounds
from tremplin_housing.fields import ARREARS_STEP_FIELDS, LETTER_STEPS
from tremplin_housing.ledger import run_rent_calls
from tremplin_housing.list_sorts import ARREARS_SORTS
from tremplin_housing.plans import plans_for
from tremplin_housing.routes.common import page, prefixed, unprefix
from tremplin_housing.settings import (
    SETTINGS_FIELDS,
    SETTINGS_ROLES,
    arrears_threshold,
    save_settings,
    settings_version,
)
from tremplin_housing.tables import BalanceSpan, LedgerEntry, Occupancy

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def parse_month(text: str, name: str = "month") -> dt.date:
    """``"2024-03"`` → 1 March 2024, or :class:`FormErrors` in French."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not (2000 <= int(match.group(1)) <= 2100):
        raise FormErrors({name: "mois invalide (format attendu : aaaa-mm)"})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


async def _calls_context(
    request: Request, month: str, errors: dict[str, str], result: Any = None
) -> dict:
    """The rent-call page: the last 12 months called, counted in the user's programmes."""
    query = LedgerEntry.select(
        LedgerEntry.month,
        Count(LedgerEntry.id).as_alias("calls"),
    ).where(LedgerEntry.kind == "call")
    scope = programme_filter(request, LedgerEntry.occupancy.programme)
    if scope is not None:
        query = query.where(scope)
    runs = await (
        query.group_by(LedgerEntry.month).order_by(LedgerEntry.month, ascending=False).limit(12)
    )
    for r in runs:
        r["label"] = month_label(r["month"])
    return {"month": month, "errors": errors, "result": result, "runs": runs}


@get("/housing/rent-calls", guards=[RENTAL])
async def rent_calls(request: Request) -> Template:
    return page(
        "housing/rent_calls.html", await _calls_context(request, today().strftime("%Y-%m"), {})
    )


@post("/housing/rent-calls", guards=[RENTAL])
async def rent_calls_run(request: Request) -> Template:
    """Call the month's rents; running it again for the same month calls nothing twice."""
    raw = await form_dict(request)
    text = str(raw.get("month") or "")
    try:
        month = parse_month(text)
        if month > add_months(month_bounds(today())[0], 1):
            raise FormErrors({"month": "un loyer ne s'appelle pas plus d'un mois à l'avance"})
    except FormErrors as exc:
        return page("housing/rent_calls.html", await _calls_context(request, text, exc.errors), 422)
    result: dict[str, Any] = await run_rent_calls(
        actor(request), month, programme_filter(request, Occupancy.programme)
    )
    result["label"] = month_label(month)
    return page("housing/rent_calls.html", await _calls_context(request, text, {}, result))


#: Rows of a page of the arrears review.
ARREARS_PAGE = 50


def _arrears_filters(request: Request, params: Any) -> dict[str, Any]:
    """The review's filters from the URL: a programme of the user's, a referent or « mes
    ménages » (the households whose open enrolment the user follows)."""
    programme = str(params.get("programme") or "")[:50]
    referent = str(params.get("referent") or "")[:12]
    return {
        "programme": programme if programme in programme_names(request) else "",
        "referent": int(referent) if referent.isdigit() else None,
        "mine": str(params.get("mine") or "") == "1",
    }


def _arrears_scope(request: Request, filters: dict[str, Any]) -> Any:
    """The where-clause on ``BalanceSpan.household``: what the user may see, then the
    filters (one sub-query through the enrolment (programme, household) and referent
    indexes)."""
    column = BalanceSpan.household
    scope = household_filter(request, column)
    enrolment = None
    if filters["programme"]:
        enrolment = Enrolments.programme == filters["programme"]
    referent = actor(request).user_id if filters["mine"] else filters["referent"]
    if referent is not None:
        clause = (Enrolments.referent == referent) & Enrolments.exit_date.is_null()
        enrolment = clause if enrolment is None else enrolment & clause
    if enrolment is not None:
        chosen = column.is_in(Enrolments.select(Enrolments.household).where(enrolment))
        scope = chosen if scope is None else scope & chosen
    return scope


def _review_day(month: str) -> dt.date:
    """The review's date: the end of ``month`` (today for the current one)."""
    on = today()
    if month:
        on = min(month_bounds(parse_month(month))[1], on)
    return on


async def _arrears_context(
    request: Request,
    month: str,
    errors: dict[int, dict[str, str]],
    values: dict[int, dict[str, Any]],
    sort: str = "solde",
    filters: dict[str, Any] | None = None,
    after: str = "",
) -> dict[str, Any]:
    filters = filters or {"programme": "", "referent": None, "mine": False}
    sort = sort if sort in ARREARS_SORTS else "solde"
    on = _review_day(month)
    scope = _arrears_scope(request, filters)
    threshold = await arrears_threshold()
    rows, next_cursor = await review_page(on, threshold, scope, sort, after or None, ARREARS_PAGE)
    latest_plan = {
        p["household"]: p for p in await plans_for([r["household_id"] for r in rows], on, on)
    }
    for r in rows:
        r["plan"] = latest_plan.get(r["household_id"])
    state = {
        "month": month,
        "programme": filters["programme"],
        "referent": filters["referent"] or "",
        "mine": "1" if filters["mine"] else "",
        "tri": "" if sort == "solde" else sort,
    }
    return {
        "rows": rows,
        "total": await review_count(on, threshold, scope),
        "next_cursor": next_cursor,
        "after": after,
        "on": on,
        "month": month or on.strftime("%Y-%m"),
        "threshold": threshold,
        "fields": ARREARS_STEP_FIELDS,
        "errors": errors,
        "values": values,
        "default_day": today().isoformat(),
        "letter_steps": LETTER_STEPS,
        "sort": sort,
        "sorts": {k: v.label for k, v in ARREARS_SORTS.items()},
        "filters": filters,
        "programmes": programme_names(request),
        "referents": await Users.select(Users.id, Users.full_name)
        .where((Users.role != "partner") & (Users.active == True))  # noqa: E712 (SQL)
        .order_by(Users.full_name),
        "query": _query(state),
        "query_for": lambda key: _query(state, tri="" if key == "solde" else key),
    }


def _query(state: dict[str, Any], **changes: Any) -> str:
    """The review's state as a URL query (month, filters, sort), empty values left out."""
    return urlencode({k: v for k, v in {**state, **changes}.items() if v})


@get("/housing/arrears", guards=[RENTAL])
async def arrears(
    request: HTMXRequest, month: FromQuery[str] = "", tri: FromQuery[str] = ""
) -> Template:
    """The monthly arrears review: every household whose balance at the end of the month
    (today for the current month) exceeds the threshold, filtered, sorted and paged
    (``apres``: the keyset cursor) as the URL says."""
    filters = _arrears_filters(request, request.query_params)
    after = str(request.query_params.get("apres") or "")[:200]
    try:
        context = await _arrears_context(request, month[:7], {}, {}, tri, filters, after)
    except FormErrors:
        context = await _arrears_context(request, "", {}, {}, tri, filters, after)
    if request.htmx and after:
        return Template("housing/_arrears_rows.html", context=context)
    return page("housing/arrears.html", context)


#: Columns of the arrears export (the review on screen).
ARREARS_EXPORT = (
    ExportColumn("reference", N_("Référence"), 12),
    ExportColumn("name", N_("Ménage"), 30),
    ExportColumn("balance", N_("Solde dû (€)"), 14),
    ExportColumn("last_payment", N_("Dernier paiement"), 16),
    ExportColumn("last_step_label", N_("Dernière étape"), 30),
    ExportColumn("plan_label", N_("Plan d'apurement"), 24),
)


@get("/housing/arrears/export", guards=[RENTAL])
async def arrears_export(
    request: Request,
    fmt: FromQuery[str] = "csv",
    month: FromQuery[str] = "",
    tri: FromQuery[str] = "",
) -> Response:
    """The review as on screen (month, filters and sort of the URL, every page, the
    households the user may open), as CSV or XLSX; audited."""
    filters = _arrears_filters(request, request.query_params)
    sort = tri if tri in ARREARS_SORTS else "solde"
    try:
        on = _review_day(month[:7])
    except FormErrors:
        return Response("Mois invalide (AAAA-MM)", status_code=400, media_type="text/plain")
    scope = _arrears_scope(request, filters)
    threshold = await arrears_threshold()

    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        return await review_page(on, threshold, scope, sort, cursor, size)

    rows = await collect_pages(fetch) if fmt in ("csv", "xlsx") else []
    plans = {p["household"]: p for p in await plans_for([r["household_id"] for r in rows], on, on)}
    for r in rows:
        step = r.get("last_step")
        plan = plans.get(r["household_id"])
        r["balance"] = f"{r['balance_cents'] / 100:.2f}".replace(".", ",")
        r["last_step_label"] = f"{step['label']} ({step['done_on']:%d/%m/%Y})" if step else ""
        r["plan_label"] = plan["status_label"] if plan else ""
    return await export_response(
        fmt,
        ARREARS_EXPORT,
        rows,
        actor=actor(request),
        object_type="arrears_list",
        filename="impayes",
        title="Impayés",
    )


@post("/housing/households/{household_id:int}/arrears-steps", guards=[RENTAL])
async def arrears_step_add(request: Request, household_id: FromPath[int]) -> Response:
    await check_household(request, household_id)
    raw = await form_dict(request)
    prefix = f"h{household_id}_"  # one form per household on the page
    try:
        await record_step(actor(request), household_id, unprefix(raw, prefix))
    except FormErrors as exc:
        context = await _arrears_context(
            request, "", {household_id: prefixed(exc.errors, prefix)}, {household_id: raw}
        )
        context["error_household"] = household_id
        return page("housing/arrears.html", context, 422)
    return redirect_after_write(request, f"/housing/arrears#household-{household_id}")


SETTINGS_GUARD = roles(*SETTINGS_ROLES)


async def _settings_page(
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    saved: bool = False,
    conflict: list[dict[str, Any]] | None = None,
) -> Template:
    return page(
        "housing/settings.html",
        {
            "fields": SETTINGS_FIELDS,
            "values": values,
            "errors": errors,
            "saved": saved,
            "conflict": conflict,
        },
        status,
    )


@get("/housing/settings", guards=[SETTINGS_GUARD])
async def settings_form(request: Request) -> Template:
    """The association's housing settings (the arrears threshold)."""
    threshold = await arrears_threshold()
    return await _settings_page(
        {
            "arrears_threshold": f"{threshold // 100},{threshold % 100:02d}",
            "version": await settings_version(),
        },
        {},
    )


@post("/housing/settings", guards=[SETTINGS_GUARD])
async def settings_save(request: Request) -> Response:
    raw = await form_dict(request)
    try:
        await save_settings(actor(request), raw)
    except FormErrors as exc:
        return await _settings_page(raw, exc.errors, 422)
    except ConflictError as exc:
        stored = {"arrears_threshold": exc.current["arrears_threshold_cents"]}
        return await _settings_page(
            {**raw, "version": exc.current["version"]},
            {},
            409,
            conflict=conflict_rows(SETTINGS_FIELDS, stored, raw),
        )
    return redirect_after_write(request, "/housing/settings?saved=1")


ROUTES = [
    rent_calls,
    rent_calls_run,
    arrears,
    arrears_export,
    arrears_step_add,
    settings_form,
    settings_save,
]
