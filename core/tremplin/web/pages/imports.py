"""The import page: upload a spreadsheet, check it (dry run) or import it."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from tremplin.importer import COLUMNS, run_import, template_xlsx
from tremplin.models import Household
from tremplin.web.auth import requires
from tremplin.web.state import actor, app_context

IMPORT = requires("import")
#: Households linked from the result page; the rest are counted.
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


@post("/import", guards=[IMPORT])
async def import_upload(request: Request) -> Template:
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
    a = actor(request)
    result = await run_import(
        app_context(request).host,
        await upload.read(),
        upload.filename,
        dry_run=form.get("dry_run") == "1",
        user_id=a.user_id,
        address=a.address,
    )
    households = []
    if result.ok and not result.dry_run and result.household_ids:
        households = await (
            Household.select(Household.id, Household.reference, Household.name)
            .where(Household.id.is_in(result.household_ids[:SHOWN]))
            .order_by(Household.id)
        )
    return Template(
        "imports/page.html",
        status_code=200 if result.ok else 422,
        context={
            "columns": COLUMNS,
            "result": result,
            "households": households,
            "more": max(0, len(result.household_ids) - SHOWN),
        },
    )


ROUTES = [import_page, import_template, import_upload]
