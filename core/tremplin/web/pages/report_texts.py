"""Report narratives (autosaved drafts) and generated, reproducible PDF versions."""

from __future__ import annotations

import hashlib
import json

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from tremplin import i18n
from tremplin.i18n import N_
from tremplin.models import GeneratedReport
from tremplin.reports.engine import build_report
from tremplin.reports.narratives import named_people, save_narrative
from tremplin.services import audit, jobs
from tremplin.services.clock import now
from tremplin.types import Period
from tremplin.web.formdata import form_dict
from tremplin.web.pages.reports import (
    REPORTS,
    narrative_scope_for,
    render_report,
    report_programmes,
)
from tremplin.web.responses import redirect_after_write
from tremplin.web.state import actor, app_context, current_user


@post("/reports/{programme:str}/{year:int}/narratives/{section:str}", guards=[REPORTS])
async def narrative_save(
    request: Request, programme: FromPath[str], year: FromPath[int], section: FromPath[str]
) -> Template:
    """Autosave (htmx): answers with the save time and any person named in the text.

    ``programme`` is the chapter's narrative key: a programme, a group of programmes or
    ``association``; the user must work in every programme it covers."""
    if programme == "all" or not 1990 <= year <= 2100:
        raise NotFoundException()
    scope = narrative_scope_for(request, programme)
    if scope is None:
        raise NotFoundException(N_("programme inconnu ou désactivé"))
    raw = await form_dict(request)
    text = str(raw.get("text", ""))
    await save_narrative(programme, year, section[:50], text, current_user(request).id)
    names = await named_people(scope, text)
    return Template(
        "reports/_narrative_status.html",
        context={"saved_at": now(), "names": names, "too_long": len(text) > 20_000},
    )


def _store(data_dir, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    path = data_dir / "reports" / f"{digest}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(content)
    return digest


@post("/reports/{programme:str}/{year:int}/generate", guards=[REPORTS])
async def report_generate(
    request: Request, programme: FromPath[str], year: FromPath[int]
) -> Response:
    """Generate the PDF and keep it with its data snapshot (same data → same PDF bytes)."""
    if not 1990 <= year <= 2100:
        raise NotFoundException()
    ctx = app_context(request)
    report = await build_report(
        ctx.host,
        report_programmes(request, programme),
        Period.year(year),
        ctx.settings.association_name,
        language=i18n.get_language(),
    )
    # Typst's compile is CPU work: in the worker process, off the event loop.
    content = await jobs.in_process(render_report, "pdf", report, ctx.settings.logo_path)
    digest = await jobs.in_thread(_store, ctx.settings.data_dir, content)
    a = actor(request)
    row = await GeneratedReport.insert(
        GeneratedReport(
            programme=programme,
            year=year,
            data=json.dumps(report, ensure_ascii=False),
            sha256=digest,
            size=len(content),
            generated_by=a.user_id,
            generated_at=now(),
        )
    ).returning(GeneratedReport.id)
    await audit.record(
        "generate", "report", row[0]["id"], user_id=a.user_id, fields=[programme], address=a.address
    )
    target = f"/reports?programme={programme}&year={year}#versions"
    return redirect_after_write(request, target)


@get("/reports/generated/{report_id:int}", guards=[REPORTS])
async def generated_download(request: Request, report_id: FromPath[int]) -> Response:
    row = (
        await GeneratedReport.select(
            GeneratedReport.programme,
            GeneratedReport.year,
            GeneratedReport.sha256,
        )
        .where(GeneratedReport.id == report_id)
        .first()
    )
    if row is None:
        raise NotFoundException()
    report_programmes(request, row["programme"])
    path = app_context(request).settings.data_dir / "reports" / f"{row['sha256']}.pdf"
    a = actor(request)
    await audit.record("download", "report", report_id, user_id=a.user_id, address=a.address)
    return Response(
        content=path.read_bytes(),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="rapport-{row["programme"]}-{row["year"]}-v{report_id}.pdf"'
        },
    )


ROUTES = [narrative_save, report_generate, generated_download]
