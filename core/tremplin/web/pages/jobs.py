"""A job's progress (htmx polling) and its result, for its owner only."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from tremplin.services import audit, jobs
from tremplin.web.auth import staff_only
from tremplin.web.state import actor, app_context, current_user, user_programmes

#: How often the page asks for news of a running job (htmx ``every``).
POLL_SECONDS = 1


async def owned_job(request: Request, job_id: int) -> dict:
    """The job, if it is the current user's and the access policy still lets them read what
    it made (a report of programmes they no longer work in answers 404); else 404."""
    row = await jobs.get(job_id)
    user = current_user(request)
    if row is None or row["owner"] != user.id:
        raise NotFoundException()
    programmes = (row["params"] or {}).get("programmes")
    if programmes and not set(programmes) <= set(user_programmes(request)):
        raise NotFoundException()
    return row


@get("/jobs/{job_id:int}", guards=[staff_only])
async def job_page(request: Request, job_id: FromPath[int]) -> Template:
    """The job's state: the page, or (htmx) the block that polls until it is finished."""
    row = await owned_job(request, job_id)
    template = "jobs/_job.html" if request.headers.get("hx-request") else "jobs/page.html"
    return Template(template, context={"job": row, "poll": POLL_SECONDS})


@get("/jobs/{job_id:int}/result", guards=[staff_only])
async def job_result(request: Request, job_id: FromPath[int]) -> Response:
    """The job's file, as an attachment, to its owner (audited like any export)."""
    row = await owned_job(request, job_id)
    content = await jobs.in_thread(jobs.result_bytes, app_context(request).settings.data_dir, row)
    if content is None:
        raise NotFoundException()
    a = actor(request)
    await audit.record(
        "export", "job", job_id, user_id=a.user_id, fields=[row["kind"]], address=a.address
    )
    return Response(
        content=content,
        media_type=row["result_media"] or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{row["result_name"] or "resultat"}"',
            "Cache-Control": "private, no-store",
        },
    )


ROUTES = [job_page, job_result]
