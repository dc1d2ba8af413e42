"""The import page: upload a spreadsheet, check it (dry run) or import it."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from tremplin.importer import COLUMNS, run_import, template_xlsx
from tremplin.models import Household
from tremplin.services import jobs
from tremplin.web.auth import requires
from tremplin.web.state import actor, app_context

IMPORT = requires("import")
#: Households linked from the job's result; the rest are counted.
SHOWN = 100


@get("/import", guards=[IMPORT])
async def import_page(request: Request) -> Template:
    return Template("imports/page.html", context={"columns": COLUMNS, "result": None})


@get("/import/modele.xlsx", guards=[IMPORT])
async def import_template(request: Request) -> Response:
    return Response(
        content=template_xlsx(app_context(request).host),
        media_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": 'attachment; filename="tremplin-modele-import.xlsx"'},
    )


async def _households(ids: list[int]) -> list[dict]:
    if not ids:
        return []
    return await (
        Household.select(Household.id, Household.reference, Household.name)
        .where(Household.id.is_in(ids[:SHOWN]))
        .order_by(Household.id)
    )


async def _start_job(request: Request, content: bytes, filename: str, dry_run: bool) -> Response:
    """The import as a job kept in the database: its page (or, for the htmx form, its block)
    shows the progress, then the counts or every problem."""
    a = actor(request)
    host = app_context(request).host

    async def work(progress) -> jobs.JobResult:
        result = await run_import(
            host,
            content,
            filename,
            dry_run=dry_run,
            user_id=a.user_id,
            address=a.address,
            progress=progress,
        )
        households = [] if dry_run or not result.ok else await _households(result.household_ids)
        return jobs.JobResult(
            summary={
                "ok": result.ok,
                "text": result.summary(),
                "problems": result.problems[:500],
                "households": households,
                "more": max(0, len(result.household_ids) - SHOWN) if households else 0,
            }
        )

    assert a.user_id is not None  # the page's guard lets in logged-in users only
    job_id = await jobs.start(
        "import",
        a.user_id,
        {"dry_run": dry_run, "size": len(content)},
        work,
        data_dir=app_context(request).settings.data_dir,
        address=a.address,
    )
    # A redirect, so that the one-time form id makes a double click start one job.
    return Redirect(f"/jobs/{job_id}", status_code=303)


@post("/import", guards=[IMPORT])
async def import_upload(request: Request) -> Template | Response:
    """Start the check or the import of the uploaded file as a job (303 to its page)."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return Template(
            "imports/page.html",
            status_code=422,
            context={
                "columns": COLUMNS,
                "result": None,
                "error": "Choisissez un fichier XLSX ou CSV.",
            },
        )
    # With or without htmx, the import is a job: the page's htmx form swaps in the job's
    # block, a plain form post is redirected to the job's page (which refreshes itself).
    return await _start_job(
        request, await upload.read(), upload.filename, form.get("dry_run") == "1"
    )


ROUTES = [import_page, import_template, import_upload]
