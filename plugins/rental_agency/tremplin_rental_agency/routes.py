"""Pages of the agency: demands and desk, CEDL sessions, allocation and lease, grid.

GLA, the arrears commission and the import have their pages in :mod:`.gla_routes` and
:mod:`.importer`. Every page that names a household writes a read entry in the audit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tremplin.api import (
    N_,
    Enrolments,
    ExportColumn,
    Field,
    FormErrors,
    NotFound,
    Users,
    actor,
    audit,
    check_household,
    collect_pages,
    export_response,
    form_dict,
    household_filter,
    period_filter,
    render,
    roles,
    today,
    user_programmes,
)
from tremplin_rental_agency import (
    allocation,
    committee,
    demands,
    grid,
    housing_link,
    territory,
)
from tremplin_rental_agency.common import VERSION_MISSING, RowId, posted_int
from tremplin_rental_agency.tables import Allocation, Demand, DeskAppointment, Presentation
from tremplin_rental_agency.vocab import (
    DECISION_LABELS,
    KEY,
    MANUAL_MOVES,
    PROBLEM_LABELS,
    RULES,
    SITUATION_LABELS,
    STATUS_LABELS,
    STATUSES,
)

STAFF = roles("admin", "head_of_service", "social_worker", "rental_manager")
ADMIN = roles("admin")
HOUSEHOLD_FIELD = Field(
    "household", N_("Ménage (numéro ou référence M-…)"), required=True, max_length=20
)


def ensure_enabled(request: Request) -> None:
    if KEY not in user_programmes(request):
        raise NotFound(KEY)


async def audit_read(request: Request, household_ids: list[int], what: str) -> None:
    a = actor(request)
    for household_id in dict.fromkeys(household_ids):
        await audit(
            "read", "household", household_id, user_id=a.user_id, fields=[what], address=a.address
        )


async def _household_id(text: str) -> int:
    from tremplin.api import Households

    text = (text or "").strip()
    query = Households.select(Households.id)
    if text.isdigit() and len(text) < 10:
        row = await query.where(Households.id == int(text)).first()
    else:
        row = await query.where(Households.reference == text.upper()[:20]).first()
    if row is None:
        raise FormErrors({"household": "aucun ménage ne porte ce numéro ou cette référence"})
    return row["id"]


# --- Demands -------------------------------------------------------------------------


#: Sorts of the desk's demands list, newest first, each on an index (registered_on, id) /
#: (status_on, id) — migration rental_agency_0003 — with keyset pagination.
DEMAND_SORTS = {"inscription": "Date d'enregistrement", "statut": "Dernier changement de statut"}
DEMAND_PAGE = 100


def _demand_cursor(raw: str) -> tuple[dt.date, int] | None:
    day, _, ident = raw[:40].partition("~")
    try:
        return dt.date.fromisoformat(day), int(ident)
    except ValueError:
        return None


async def _demand_list(
    status: str,
    sort: str = "inscription",
    after: tuple[dt.date, int] | None = None,
    limit: int = DEMAND_PAGE,
    scope: Any = None,
    *,
    created_by: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """A page of demands (``limit`` + 1 rows: one more tells there is a next page), newest
    first by registration or by last status change, then id; ``scope``: the where-clause
    keeping the households the user may see (:func:`tremplin.api.household_filter`);
    ``created_by``: « mes demandes »; ``since`` / ``until``: registered in that period."""
    column = Demand.status_on if sort == "statut" else Demand.registered_on
    query = Demand.select(
        Demand.id,
        Demand.household,
        Demand.status,
        Demand.status_on,
        Demand.registered_on,
        Demand.wanted_typology,
        Demand.wanted_sector,
        Demand.household.name.as_alias("household_name"),
        Demand.household.reference.as_alias("household_reference"),
    ).where(Demand.household.archived_at.is_null())
    if status:
        query = query.where(Demand.status == status)
    if scope is not None:
        query = query.where(scope)
    if created_by is not None:
        query = query.where(Demand.created_by == created_by)
    if since is not None:
        query = query.where(Demand.registered_on >= since)
    if until is not None:
        query = query.where(Demand.registered_on <= until)
    if after is not None:
        day, ident = after
        query = query.where((column < day) | ((column == day) & (Demand.id < ident)))
    return (
        await query.order_by(column, ascending=False)
        .order_by(Demand.id, ascending=False)
        .limit(limit + 1)
    )


def _demand_state(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The desk list's state from the URL: status, sort, « mes demandes », referent,
    period."""
    params = request.query_params
    wanted = str(params.get("status") or "")
    sort = str(params.get("tri") or "")
    state: dict[str, Any] = {
        "status": wanted if wanted in STATUS_LABELS else "",
        "tri": sort if sort in DEMAND_SORTS else "inscription",
        "mine": str(params.get("mine") or "") == "1",
        "referent": None,
        "du": None,
        "au": None,
    }
    errors: dict[str, str] = {}
    referent = str(params.get("referent") or "")[:12]
    if referent:
        if referent.isdigit():
            state["referent"] = int(referent)
        else:
            errors["referent"] = N_("référent inconnu")
    state["du"], state["au"] = period_filter(
        str(params.get("du") or "")[:10], str(params.get("au") or "")[:10], errors
    )
    return state, errors


def _demand_query(state: dict[str, Any], **changes: Any) -> str:
    values = {
        "status": state["status"],
        "tri": "" if state["tri"] == "inscription" else state["tri"],
        "mine": "1" if state["mine"] else "",
        "referent": state["referent"] or "",
        "du": state["du"].isoformat() if state["du"] else "",
        "au": state["au"].isoformat() if state["au"] else "",
        **changes,
    }
    return urlencode({k: v for k, v in values.items() if v})


def _demand_filters(request: Request, state: dict[str, Any]) -> dict[str, Any]:
    """The list's where-clauses: the households the user may see and, with « référent »,
    those whose open enrolment that worker follows (the household's referent: a demand has
    no worker of its own; index enrolment_referent_exit)."""
    scope = household_filter(request, Demand.household)
    if state["referent"] is not None:
        followed = Demand.household.is_in(
            Enrolments.select(Enrolments.household).where(
                (Enrolments.referent == state["referent"]) & Enrolments.exit_date.is_null()
            )
        )
        scope = followed if scope is None else scope & followed
    return {
        "scope": scope,
        "created_by": actor(request).user_id if state["mine"] else None,
        "since": state["du"],
        "until": state["au"],
    }


async def _demands_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    state, filter_errors = _demand_state(request)
    wanted, sort = state["status"], state["tri"]
    after = _demand_cursor(str(request.query_params.get("apres", "")))
    rows = (
        []
        if filter_errors
        else await _demand_list(wanted, sort, after, **_demand_filters(request, state))
    )
    more = len(rows) > DEMAND_PAGE
    rows = rows[:DEMAND_PAGE]
    key = "status_on" if sort == "statut" else "registered_on"
    next_cursor = f"{rows[-1][key].isoformat()}~{rows[-1]['id']}" if more and rows else None
    await audit_read(request, [r["household"] for r in rows], "rental_agency_demands")
    return render(
        request,
        f"{KEY}/demands.html",
        {
            "rows": rows,
            "statuses": STATUSES,
            "labels": STATUS_LABELS,
            "wanted": wanted,
            "sort": sort,
            "sorts": DEMAND_SORTS,
            "state": state,
            "filter_errors": filter_errors,
            "query": _demand_query(state),
            "query_for": lambda **changes: _demand_query(state, **changes),
            "referents": await Users.select(Users.id, Users.full_name)
            .where((Users.role != "partner") & (Users.active == True))  # noqa: E712 (SQL)
            .order_by(Users.full_name),
            "next_cursor": next_cursor,
            "fields": (HOUSEHOLD_FIELD, *demands.DEMAND_FIELDS),
            "values": values,
            "errors": errors,
        },
        status=status if not filter_errors else 400,
    )


@get(f"/{KEY}/demands", guards=[STAFF])
async def demands_page(request: Request) -> Template:
    """The housing demands (filter by status) and the intake form."""
    ensure_enabled(request)
    return await _demands_page(request, {"registered_on": today().isoformat()}, {})


#: Columns of the desk's export (the demands list on screen).
DEMAND_EXPORT = (
    ExportColumn("household_reference", N_("Référence"), 12),
    ExportColumn("household_name", N_("Ménage"), 30),
    ExportColumn("registered_on", N_("Enregistrée le"), 14),
    ExportColumn("status_label", N_("Statut"), 24),
    ExportColumn("status_on", N_("Depuis le"), 14),
    ExportColumn("wanted_typology", N_("Typologie souhaitée"), 12),
    ExportColumn("wanted_sector", N_("Secteur souhaité"), 24),
)


@get(f"/{KEY}/demands/export", guards=[STAFF])
async def demands_export(
    request: Request,
    fmt: FromQuery[str] = "csv",
) -> Response:
    """The desk's demands as listed (status, sort, « mes demandes » and period of the URL,
    every page, the households the user may see), as CSV or XLSX (audited)."""
    ensure_enabled(request)
    state, errors = _demand_state(request)
    if errors:
        return Response(
            "Filtres invalides : " + " ; ".join(errors.values()),
            status_code=400,
            media_type="text/plain",
        )
    wanted, sort = state["status"], state["tri"]
    key = "status_on" if sort == "statut" else "registered_on"
    filters = _demand_filters(request, state)

    async def fetch(after: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        page = await _demand_list(wanted, sort, after, size, **filters)
        more = len(page) > size
        return page[:size], (page[size - 1][key], page[size - 1]["id"]) if more else None

    rows = await collect_pages(fetch) if fmt in ("csv", "xlsx") else []
    for r in rows:
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
    return await export_response(
        fmt,
        DEMAND_EXPORT,
        rows,
        actor=actor(request),
        object_type="rental_agency_demand_list",
        filename="demandes-logement",
        title="Demandes de logement",
    )


@post(f"/{KEY}/demands", guards=[STAFF])
async def demand_create(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        household_id = await _household_id(raw.get("household", ""))
        await check_household(request, household_id)
        demand_id = await demands.create_demand(actor(request), household_id, raw)
    except FormErrors as exc:
        return await _demands_page(request, raw, exc.errors, status=422)
    except NotFound:
        return await _demands_page(
            request, raw, {"household": "aucun ménage ne porte ce numéro"}, status=422
        )
    return Redirect(f"/{KEY}/demands/{demand_id}", status_code=303)


async def _demand_page(
    request: Request,
    demand_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
    posted: dict[str, Any] | None = None,
) -> Template:
    demand = await demands.get_demand(demand_id)
    await check_household(request, demand["household"])
    await audit_read(request, [demand["household"]], "rental_agency_demand")
    appointments = (
        await DeskAppointment.select()
        .where(DeskAppointment.demand == demand_id)
        .order_by(DeskAppointment.on_date)
    )
    presentations = (
        await Presentation.select(
            *Presentation.all_columns(), Presentation.session.held_on.as_alias("held_on")
        )
        .where(Presentation.demand == demand_id)
        .order_by(Presentation.id)
    )
    allocations = (
        await Allocation.select().where(Allocation.demand == demand_id).order_by(Allocation.id)
    )
    stock = {d.id: d for d in await housing_link.stock()} if allocations else {}
    edit = dict(demand)
    edit["problems"] = [p for p in demand["problems"].split(",") if p]
    edit["monthly_resources"] = f"{demand['monthly_resources_cents'] / 100:.2f}".replace(".", ",")
    edit["max_rent"] = f"{demand['max_rent_cents'] / 100:.2f}".replace(".", ",")
    return render(
        request,
        f"{KEY}/demand.html",
        {
            "demand": demand,
            "labels": STATUS_LABELS,
            "decisions": DECISION_LABELS,
            "situations": SITUATION_LABELS,
            "problems": [PROBLEM_LABELS.get(p, p) for p in edit["problems"]],
            "appointments": appointments,
            "presentations": presentations,
            "allocations": allocations,
            "stock": stock,
            "moves": [
                c
                for c in demands.CANCEL_FIELDS[0].choices
                if c.value in MANUAL_MOVES.get(demand["status"], ())
            ],
            "fields": demands.DEMAND_FIELDS,
            "appointment_fields": demands.APPOINTMENT_FIELDS,
            "lease_fields": allocation.LEASE_FIELDS,
            "values": edit,
            "errors": errors or {},
            "posted": posted or {},
            "today": today().isoformat(),
        },
        status=status,
    )


@get(f"/{KEY}/demands/{{demand_id:int}}", guards=[STAFF])
async def demand_page(request: Request, demand_id: RowId) -> Template:
    """One demand: its data, desk appointments, committee decisions and allocation."""
    ensure_enabled(request)
    return await _demand_page(request, demand_id)


async def _demand_write(request: Request, demand_id: int, action) -> Response:
    ensure_enabled(request)
    demand = await demands.get_demand(demand_id)
    await check_household(request, demand["household"])
    raw = await form_dict(request)
    try:
        await action(actor(request), raw)
    except FormErrors as exc:
        return await _demand_page(request, demand_id, exc.errors, status=422, posted=raw)
    return Redirect(f"/{KEY}/demands/{demand_id}", status_code=303)


@post(f"/{KEY}/demands/{{demand_id:int}}/edit", guards=[STAFF])
async def demand_edit(request: Request, demand_id: RowId) -> Response:
    async def action(a, raw):
        version = posted_int(raw, "version", VERSION_MISSING, "_version")
        await demands.update_demand(a, demand_id, raw, version)

    return await _demand_write(request, demand_id, action)


@post(f"/{KEY}/demands/{{demand_id:int}}/status", guards=[STAFF])
async def demand_status(request: Request, demand_id: RowId) -> Response:
    return await _demand_write(
        request, demand_id, lambda a, raw: demands.change_status(a, demand_id, raw)
    )


@post(f"/{KEY}/demands/{{demand_id:int}}/appointments", guards=[STAFF])
async def demand_appointment(request: Request, demand_id: RowId) -> Response:
    return await _demand_write(
        request, demand_id, lambda a, raw: demands.add_appointment(a, demand_id, raw)
    )


# --- CEDL sessions ----------------------------------------------------------------------


async def _sessions_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    rows = await committee.sessions()
    counts: dict[int, int] = {}
    for p in await Presentation.select(Presentation.session).where(
        Presentation.session.is_in([r["id"] for r in rows] or [0])
    ):
        counts[p["session"]] = counts.get(p["session"], 0) + 1
    return render(
        request,
        f"{KEY}/sessions.html",
        {
            "rows": rows,
            "counts": counts,
            "partners": await committee.partner_choices(),
            "fields": committee.SESSION_FIELDS,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@get(f"/{KEY}/sessions", guards=[STAFF])
async def sessions_page(request: Request) -> Template:
    """The committee sessions and the form for a new one."""
    ensure_enabled(request)
    return await _sessions_page(request, {"held_on": today().isoformat()}, {})


@post(f"/{KEY}/sessions", guards=[STAFF])
async def session_create(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    partners = raw.get("partners", [])
    partners = partners if isinstance(partners, list) else [partners]
    try:
        session_id = await committee.create_session(actor(request), raw, partners)
    except FormErrors as exc:
        return await _sessions_page(request, raw, exc.errors, status=422)
    return Redirect(f"/{KEY}/sessions/{session_id}", status_code=303)


async def _session_page(
    request: Request, session_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    session = await committee.get_session(session_id)
    files = await committee.session_files(session_id)
    presentable = (
        await Demand.select(
            Demand.id,
            Demand.household.name.as_alias("household_name"),
            Demand.household.reference.as_alias("household_reference"),
        )
        .where(
            Demand.status.is_in(list(committee.PRESENTABLE))
            & Demand.household.archived_at.is_null()
        )
        .order_by(Demand.registered_on)
        .limit(300)
    )
    await audit_read(request, [f["household"] for f in files], "rental_agency_session")
    current = await grid.current_grid()
    partners = {p["id"]: p["name"] for p in await committee.partner_choices()}
    return render(
        request,
        f"{KEY}/session.html",
        {
            "session": session,
            "files": files,
            "presentable": presentable,
            "manual": [c for c in current.criteria if c["rule"] == "manual"],
            "decision_fields": committee.DECISION_FIELDS,
            "decisions": DECISION_LABELS,
            "partners": [partners.get(i, "?") for i in committee.partner_ids_of(session)],
            "situations": SITUATION_LABELS,
            "errors": errors or {},
        },
        status=status,
    )


@get(f"/{KEY}/sessions/{{session_id:int}}", guards=[STAFF])
async def session_page(request: Request, session_id: RowId) -> Template:
    """A session: the files presented, a decision form for each file not yet decided."""
    ensure_enabled(request)
    return await _session_page(request, session_id)


@post(f"/{KEY}/sessions/{{session_id:int}}/present", guards=[STAFF])
async def session_present(request: Request, session_id: RowId) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        demand_id = posted_int(raw, "demand", "choisissez une demande")
        await committee.present(actor(request), session_id, demand_id)
    except FormErrors as exc:
        return await _session_page(request, session_id, exc.errors, status=422)
    return Redirect(f"/{KEY}/sessions/{session_id}", status_code=303)


@post(f"/{KEY}/sessions/{{session_id:int}}/decide/{{demand_id:int}}", guards=[STAFF])
async def session_decide(request: Request, session_id: RowId, demand_id: RowId) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    ticked = raw.get("ticked", [])
    ticked = ticked if isinstance(ticked, list) else [ticked]
    try:
        await committee.decide(actor(request), session_id, demand_id, raw, ticked)
    except FormErrors as exc:
        errors = {
            f"{demand_id}-{k}" if not k.startswith("_") else k: v for k, v in exc.errors.items()
        }
        errors["_decision"] = "Décision non enregistrée : " + "; ".join(exc.errors.values())
        return await _session_page(request, session_id, errors, status=422)
    return Redirect(f"/{KEY}/sessions/{session_id}", status_code=303)


# --- Allocation -------------------------------------------------------------------------


@get(f"/{KEY}/allocation", guards=[STAFF])
async def free_page(request: Request) -> Template:
    """The dwellings free to allocate (captured, no occupant, no allocation pending)."""
    ensure_enabled(request)
    return render(
        request,
        f"{KEY}/free.html",
        {"rows": await allocation.free_dwellings(today()), "typologies": housing_link.TYPOLOGIES},
    )


async def _ranked_page(
    request: Request, dwelling_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    free = {d.id: d for d in await allocation.free_dwellings(today())}
    dwelling = free.get(dwelling_id)
    ranked = await allocation.ranked_for(dwelling_id, today()) if dwelling else []
    await audit_read(request, [r["household"] for r in ranked], "rental_agency_ranking")
    return render(
        request,
        f"{KEY}/ranked.html",
        {
            "dwelling": dwelling,
            "dwelling_id": dwelling_id,
            "ranked": ranked,
            "limit": allocation.EFFORT_LIMIT_PERCENT,
            "errors": errors or {},
            "today": today().isoformat(),
        },
        status=status,
    )


@get(f"/{KEY}/allocation/{{dwelling_id:int}}", guards=[STAFF])
async def ranked_page(request: Request, dwelling_id: RowId) -> Template:
    """The accepted demands matching a free dwelling, best score first."""
    ensure_enabled(request)
    return await _ranked_page(request, dwelling_id)


@post(f"/{KEY}/allocation/{{dwelling_id:int}}", guards=[STAFF])
async def allocate(request: Request, dwelling_id: RowId) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        demand_id = posted_int(raw, "demand", "choisissez une demande")
        await allocation.allocate(actor(request), demand_id, dwelling_id, raw)
    except FormErrors as exc:
        return await _ranked_page(request, dwelling_id, exc.errors, status=422)
    return Redirect(f"/{KEY}/demands/{demand_id}", status_code=303)


async def _allocation_demand(allocation_id: int) -> int:
    row = await Allocation.select(Allocation.demand).where(Allocation.id == allocation_id).first()
    if row is None:
        raise NotFound(allocation_id)
    return row["demand"]


@post(f"/{KEY}/allocations/{{allocation_id:int}}/lease", guards=[STAFF])
async def lease(request: Request, allocation_id: RowId) -> Response:
    demand_id = await _allocation_demand(allocation_id)
    return await _demand_write(
        request, demand_id, lambda a, raw: allocation.sign_lease(a, allocation_id, raw)
    )


@post(f"/{KEY}/allocations/{{allocation_id:int}}/cancel", guards=[STAFF])
async def allocation_cancel(request: Request, allocation_id: RowId) -> Response:
    demand_id = await _allocation_demand(allocation_id)
    return await _demand_write(
        request, demand_id, lambda a, raw: allocation.cancel_allocation(a, allocation_id)
    )


# --- Scoring grid (administrators) ------------------------------------------------------


async def _grid_page(
    request: Request,
    rows: list[dict[str, Any]] | None,
    smic: str,
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    current = await grid.current_grid(actor(request))
    criteria = rows if rows is not None else [dict(c) for c in current.criteria]
    criteria = criteria + [{"label": "", "rule": "", "points": ""}] * 3
    return render(
        request,
        f"{KEY}/grid.html",
        {
            "grid": current,
            "criteria": criteria,
            "rules": RULES,
            "smic": smic or f"{current.smic_cents / 100:.2f}".replace(".", ","),
            "errors": errors,
        },
        status=status,
    )


@get(f"/{KEY}/grid", guards=[ADMIN])
async def grid_page(request: Request) -> Template:
    """The scoring grid in force; saving writes the next version."""
    ensure_enabled(request)
    return await _grid_page(request, None, "", {})


@post(f"/{KEY}/grid", guards=[ADMIN])
async def grid_save(request: Request) -> Response:
    ensure_enabled(request)
    form = await request.form()
    labels, rules_, points = (
        form.getall("label", []),
        form.getall("rule", []),
        form.getall("points", []),
    )
    rows = [
        {"label": lbl, "rule": r, "points": p}
        for lbl, r, p in zip(labels, rules_, points, strict=False)
    ]
    smic_text = str(form.get("smic", ""))
    try:
        smic = Field("smic", N_("SMIC"), kind="money", required=True).parse(smic_text)
    except Exception:
        return await _grid_page(request, rows, smic_text, {"smic": "montant invalide"}, status=422)
    try:
        await grid.save_grid(actor(request), rows, smic, str(form.get("note", ""))[:200])
    except FormErrors as exc:
        return await _grid_page(request, rows, smic_text, exc.errors, status=422)
    return Redirect(f"/{KEY}/grid", status_code=303)


# --- The metropolis (administrators) -----------------------------------------------------


async def _territory_page(
    request: Request, posted: dict[str, Any] | None, errors: dict[str, str], status: int = 200
) -> Template:
    current = await territory.metropolis()
    return render(
        request,
        f"{KEY}/territory.html",
        {
            "current": current,
            "label": posted["label"] if posted else current.label,
            "entries": posted["entries"] if posted else "\n".join(current.entries),
            "version": posted["version"] if posted else current.version,
            "errors": errors,
        },
        status=status,
    )


@get(f"/{KEY}/territory", guards=[ADMIN])
async def territory_page(request: Request) -> Template:
    """The postcodes and communes of the metropolis (the GLA's share « dans la métropole »)."""
    ensure_enabled(request)
    return await _territory_page(request, None, {})


@post(f"/{KEY}/territory", guards=[ADMIN])
async def territory_save(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    posted = {k: str(raw.get(k, "")) for k in ("label", "entries", "version")}
    try:
        version = int(posted["version"])
    except ValueError:
        errors = {"_version": "Version manquante : rechargez la page."}
        return await _territory_page(request, posted, errors, status=422)
    try:
        await territory.save_metropolis(actor(request), posted["label"], posted["entries"], version)
    except FormErrors as exc:
        status = 409 if "_version" in exc.errors else 422
        return await _territory_page(request, posted, exc.errors, status=status)
    return Redirect(f"/{KEY}/territory", status_code=303)


ROUTES = (
    territory_page,
    territory_save,
    demands_page,
    demands_export,
    demand_create,
    demand_page,
    demand_edit,
    demand_status,
    demand_appointment,
    sessions_page,
    session_create,
    session_page,
    session_present,
    session_decide,
    free_page,
    ranked_page,
    allocate,
    lease,
    allocation_cancel,
    grid_page,
    grid_save,
)
