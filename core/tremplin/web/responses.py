"""What a page route answers after a write, and how it loads the enrolment it works on.

Shared by the core pages and, through ``tremplin.api``, by the programme plugins.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect

from tremplin.models import Enrolment
from tremplin.web.access import check_household


def is_htmx(request: Request) -> bool:
    """Whether the request comes from htmx. Kept for plugins written against API ≤ 1.4: the
    built-ins read ``request.htmx`` (Litestar's ``HTMXPlugin`` makes every request an
    ``HTMXRequest``)."""
    return bool(getattr(request, "htmx", False))


def _page(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


def redirect_after_write(request: Request, target: str) -> Response:
    """The answer to a successful write from a form: a plain browser gets a 303 redirect to
    ``target``; htmx an empty 200 with ``HX-Redirect: target``, plus ``HX-Refresh: true`` when
    ``target`` is the current page (``HX-Current-URL``, or unknown) but for its
    ``#fragment``: changing only the fragment would just scroll, and the page must reload to
    show what was written."""
    if not is_htmx(request):
        return Redirect(target, status_code=303)
    response = ClientRedirect(target)
    # An empty 200 (htmx follows the header of a 2xx; not a POST's 201, nor a JSON "null").
    response.status_code = 200
    response.content = b""
    current = request.headers.get("hx-current-url")
    if "#" in target and (current is None or _page(current) == _page(target)):
        response.headers["HX-Refresh"] = "true"
    return response


def enrolment_url(household_id: int, enrolment_id: int) -> str:
    """The household page anchored on one enrolment: ``/households/12#enrolment-34``."""
    return f"/households/{household_id}#enrolment-{enrolment_id}"


async def enrolment_for_route(
    request: Request, enrolment_id: int, programme: str
) -> dict[str, Any]:
    """The enrolment row ``enrolment_id`` of ``programme`` (``data`` loaded from JSON) for a
    route working on it: 404 when there is no such enrolment in that programme, and the
    household's visibility checked (:func:`check_household`) before it is returned."""
    row = (
        await Enrolment.select()
        .where((Enrolment.id == enrolment_id) & (Enrolment.programme == programme))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFoundException()
    await check_household(request, row["household"])
    return row
