"""Activity report pages: indicators as HTML tables, downloads as PDF, XLSX or JSON."""

from __future__ import annotations

from pickle import PicklingError

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tremplin import i18n
from tremplin.i18n import N_
from tremplin.models import GeneratedReport
from tremplin.permissions import can
from tremplin.reports.charts import svg
from tremplin.reports.docx import to_docx
from tremplin.reports.engine import ReportError, build_report
from tremplin.reports.export import to_json, to_pdf, to_xlsx
from tremplin.reports.narratives import narrative_scope, previous_narratives
from tremplin.reports.quality import quality_problems
from tremplin.reports.units import format_change, format_value
from tremplin.services import audit, jobs
from tremplin.services.clock import today
from tremplin.types import Period, ReportContext
from tremplin.web.auth import requires
from tremplin.web.state import actor, app_context, user_programmes

REPORTS = requires("reports")
MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _choices(request: Request) -> list[tuple[str, str]]:
    host = app_context(request).host
    keys = user_programmes(request)
    return [("all", "Toute l'association")] * (len(keys) > 1) + [
        (k, host.programmes[k].name_fr) for k in keys
    ]


def report_programmes(request: Request, key: str) -> list[str]:
    allowed = user_programmes(request)
    if key == "all":
        return allowed
    if key not in allowed:
        raise NotFoundException(N_("programme inconnu ou désactivé"))
    return [key]


def narrative_scope_for(request: Request, key: str) -> list[str] | None:
    """The programmes a chapter's narrative key covers, if the user works in all of them
    (``None``: not a chapter this user may write in)."""
    ctx = app_context(request)
    scope = narrative_scope(key, ctx.host.programme_keys, ctx.settings.report_groups)
    if scope is None or not set(scope) <= set(user_programmes(request)):
        return None
    return scope


@get("/reports", guards=[REPORTS])
async def report_page(
    request: Request, programme: FromQuery[str | None] = None, year: FromQuery[int | None] = None
) -> Template:
    choices = _choices(request)
    programme = programme or (choices[0][0] if choices else None)
    year = year or today().year - 1
    report, problems, versions, drafts = None, [], [], {}
    editable: set[str] = set()
    if programme and 1990 <= year <= 2100:
        ctx = app_context(request)
        keys = report_programmes(request, programme)
        period = Period.year(year)
        report = await build_report(
            ctx.host,
            keys,
            period,
            ctx.settings.association_name,
            ctx.settings.report_groups,
            language=i18n.get_language(),  # the page is in the interface's language
        )
        for key in keys:
            prog = ctx.host.programmes[key]
            for problem in await quality_problems(
                ReportContext(
                    key,
                    prog.name_fr,
                    period,
                    prog.places,
                    prog.max_duration_months,
                )
            ):
                problems.append({**problem, "programme": prog.name_fr})
        # A programme's texts are written on its own page; a group's and the whole
        # association's chapters are only in the report of several programmes.
        for chapter in report["programmes"]:
            if (chapter["kind"] != "programme" or programme != "all") and narrative_scope_for(
                request, chapter["narrative_key"]
            ):
                editable.add(chapter["narrative_key"])
        if editable:
            drafts = await previous_narratives(sorted(editable), year)
        versions = (
            await GeneratedReport.select(
                GeneratedReport.id,
                GeneratedReport.generated_at,
                GeneratedReport.size,
                GeneratedReport.generated_by.full_name.as_alias("author"),
            )
            .where((GeneratedReport.programme == programme) & (GeneratedReport.year == year))
            .order_by(GeneratedReport.id, ascending=False)
            .limit(20)
        )
    return Template(
        "reports/page.html",
        context={
            "choices": choices,
            "programme": programme,
            "year": year,
            "report": report,
            "years": list(range(today().year, today().year - 8, -1)),
            "problems": problems,
            "versions": versions,
            "drill": can(request.scope["user"], "social"),
            "drafts": drafts,
            "editable_keys": editable,
            "is_admin": can(request.scope["user"], "admin"),
            "svg": svg,
            "fmt": format_value,
            "change": format_change,
        },
    )


def render_report(fmt: str, report, logo_path) -> bytes:
    """The report's file in ``fmt``: CPU work, run in a worker process
    (:func:`tremplin.services.jobs.in_process`), never on the event loop."""
    if fmt == "pdf":
        return to_pdf(report, logo_path)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "docx":
        return to_docx(report)
    return to_json(report).encode()


async def _report_file(
    request: Request, keys: list[str], year: int, fmt: str, lang: str | None, progress=None
) -> bytes:
    ctx = app_context(request)
    if progress:
        await progress(10, "Calcul des indicateurs")
    try:
        report = await build_report(
            ctx.host,
            keys,
            Period.year(year),
            ctx.settings.association_name,
            ctx.settings.report_groups,
            language=lang or ctx.settings.language,
        )
    except ReportError as exc:
        raise NotFoundException(str(exc)) from None
    if progress:
        await progress(60, f"Mise en page ({fmt.upper()})")
    try:
        return await jobs.in_process(render_report, fmt, report, ctx.settings.logo_path)
    except (TypeError, AttributeError, PicklingError):
        # A report a plugin filled with something that cannot cross to another process
        # (a lambda): rendered in a thread instead.
        return await jobs.in_thread(render_report, fmt, report, ctx.settings.logo_path)


def _check_format(fmt: str, year: int) -> None:
    if fmt not in MEDIA or not 1990 <= year <= 2100:
        raise NotFoundException()


@get("/reports/{programme:str}/{year:int}/{fmt:str}", guards=[REPORTS])
async def report_download(
    request: Request,
    programme: FromPath[str],
    year: FromPath[int],
    fmt: FromPath[str],
    lang: FromQuery[str | None] = None,
) -> Response:
    """The report's file, built now (off the event loop); the page's buttons start a job
    instead (:func:`report_job`)."""
    _check_format(fmt, year)
    content = await _report_file(request, report_programmes(request, programme), year, fmt, lang)
    a = actor(request)
    await audit.record(
        "export", "report", year, user_id=a.user_id, fields=[programme, fmt], address=a.address
    )
    return Response(
        content=content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="rapport-{programme}-{year}.{fmt}"'},
    )


@post("/reports/{programme:str}/{year:int}/{fmt:str}/job", guards=[REPORTS])
async def report_job(
    request: Request, programme: FromPath[str], year: FromPath[int], fmt: FromPath[str]
) -> Response:
    """Start building the report's file as a job kept in the database; answer the block that
    shows its progress (htmx: the block polls until the file is ready)."""
    _check_format(fmt, year)
    keys = report_programmes(request, programme)
    form = await request.form()
    lang = str(form.get("lang") or "") or None
    a = actor(request)

    async def work(progress) -> jobs.JobResult:
        content = await _report_file(request, keys, year, fmt, lang, progress)
        await audit.record(
            "export", "report", year, user_id=a.user_id, fields=[programme, fmt], address=a.address
        )
        return jobs.JobResult(content, f"rapport-{programme}-{year}.{fmt}", MEDIA[fmt])

    assert a.user_id is not None  # the page's guard lets in logged-in users only
    job_id = await jobs.start(
        "report",
        a.user_id,
        {"programme": programme, "programmes": keys, "year": year, "format": fmt, "lang": lang},
        work,
        data_dir=app_context(request).settings.data_dir,
        address=a.address,
    )
    # A redirect, so that the one-time form id makes a double click start one job (htmx
    # follows it and shows the job's block).
    return Redirect(f"/jobs/{job_id}", status_code=303)


ROUTES = [report_page, report_download, report_job]


@get(
    "/reports/{programme:str}/{year:int}/detail/{table:str}/{row:str}",
    guards=[REPORTS, requires("social")],
)
async def report_detail(
    request: Request,
    programme: FromPath[str],
    year: FromPath[int],
    table: FromPath[str],
    row: FromPath[str],
) -> Template:
    """The households behind one figure of the common indicators (those the user may see)."""
    from tremplin.models import Household
    from tremplin.reports.indicators import common_indicators
    from tremplin.web.access import household_filter

    keys = report_programmes(request, programme)
    if len(keys) != 1 or not 1990 <= year <= 2100:
        raise NotFoundException()
    host = app_context(request).host
    prog = host.programmes[keys[0]]
    ctx = ReportContext(
        keys[0],
        prog.name_fr,
        Period.year(year),
        prog.places,
        prog.max_duration_months,
        prog.prescribers,
        prog.exit_destinations,
        {
            k: e.label
            for k, e in host.event_types.items()
            if e.contact and e.programme in (None, keys[0])
        },
    )
    drill: dict[tuple[str, str], set[int]] = {}
    tables = {t.key: t for t in await common_indicators(ctx, drill)}
    if table not in tables:
        raise NotFoundException()
    shown = {r.key for r in tables[table].rows}
    if row == "unknown":
        ids = set().union(
            *(v for (t, k), v in drill.items() if t == table and k not in shown - {"unknown"})
        )
    else:
        ids = drill.get((table, row), set())
    label = next((r.label for r in tables[table].rows if r.key == row), row)
    # The access policy's list rule (active households of the user's programmes, or their
    # own files), in SQL: a drill-down names only households the user may open.
    query = Household.select(Household.id, Household.reference, Household.name).where(
        Household.id.is_in(sorted(ids) or [-1]) & household_filter(request, Household.id)
    )
    households = await query.order_by(Household.reference)
    return Template(
        "reports/detail.html",
        context={
            "programme": prog,
            "year": year,
            "table": tables[table],
            "label": label,
            "households": households,
            "hidden": len(ids) - len(households),
        },
    )


ROUTES.append(report_detail)

# The places per programme and year (administrator), printed by the report.
from tremplin.web.pages.capacity import ROUTES as _CAPACITY_ROUTES  # noqa: E402

ROUTES.extend(_CAPACITY_ROUTES)
