"""Activity report pages: indicators as HTML tables, downloads as PDF, XLSX or JSON."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from tremplin.models import GeneratedReport
from tremplin.permissions import can
from tremplin.reports.charts import svg
from tremplin.reports.docx import to_docx
from tremplin.reports.engine import ReportError, build_report, localise
from tremplin.reports.export import to_json, to_pdf, to_xlsx
from tremplin.reports.narratives import previous_narratives
from tremplin.reports.quality import quality_problems
from tremplin.reports.units import format_change, format_value
from tremplin.services import audit
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
        raise NotFoundException("programme inconnu ou désactivé")
    return [key]


@get("/reports", guards=[REPORTS])
async def report_page(
    request: Request, programme: FromQuery[str | None] = None, year: FromQuery[int | None] = None
) -> Template:
    choices = _choices(request)
    programme = programme or (choices[0][0] if choices else None)
    year = year or today().year - 1
    report, problems, versions, drafts = None, [], [], {}
    if programme and 1990 <= year <= 2100:
        ctx = app_context(request)
        keys = report_programmes(request, programme)
        period = Period.year(year)
        report = await build_report(
            ctx.host, keys, period, ctx.settings.association_name, ctx.settings.report_groups
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
        if programme != "all":
            drafts = await previous_narratives(keys, year)
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
            "is_admin": can(request.scope["user"], "admin"),
            "svg": svg,
            "fmt": format_value,
            "change": format_change,
        },
    )


@get("/reports/{programme:str}/{year:int}/{fmt:str}", guards=[REPORTS])
async def report_download(
    request: Request,
    programme: FromPath[str],
    year: FromPath[int],
    fmt: FromPath[str],
    lang: FromQuery[str | None] = None,
) -> Response:
    if fmt not in MEDIA or not 1990 <= year <= 2100:
        raise NotFoundException()
    ctx = app_context(request)
    try:
        report = await build_report(
            ctx.host,
            report_programmes(request, programme),
            Period.year(year),
            ctx.settings.association_name,
            ctx.settings.report_groups,
        )
        report = localise(report, ctx.host, lang or ctx.settings.language)
    except ReportError as exc:
        raise NotFoundException(str(exc)) from None
    content = {
        "pdf": lambda r: to_pdf(r, ctx.settings.logo_path),
        "xlsx": to_xlsx,
        "json": lambda r: to_json(r).encode(),
        "docx": to_docx,
    }[fmt](report)
    a = actor(request)
    await audit.record(
        "export", "report", year, user_id=a.user_id, fields=[programme, fmt], address=a.address
    )
    return Response(
        content=content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="rapport-{programme}-{year}.{fmt}"'},
    )


ROUTES = [report_page, report_download]


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
    from tremplin.services.households import visible_households
    from tremplin.web.access import visibility

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
    query = Household.select(Household.id, Household.reference, Household.name).where(
        Household.id.is_in(sorted(ids) or [-1]) & Household.archived_at.is_null()
    )
    scope = visibility(request)
    if scope is not None:
        query = query.where(visible_households(*scope))
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
