"""The export answer of a list page (CSV or XLSX of the list on screen, audited).

A list page gathers its rows (its own filters and sort, within what the user may see: the
page's query, never a wider one), names its columns, and answers with
:func:`export_response`: one audit entry (``export``, the list's object type, the number of
rows, the column keys), CSV in UTF-8 with a BOM and « ; » separators (French Excel opens it
as is) or an XLSX sheet, no cell a spreadsheet would run as a formula, dates in French in the
association's time zone (:mod:`tremplin.services.list_export`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Response

from tremplin.services import audit
from tremplin.services.clock import today
from tremplin.services.households import Actor
from tremplin.services.list_export import (
    EXPORT_LIMIT,
    XLSX_TYPE,
    ExportColumn,
    PageFetcher,
    collect_pages,
    to_csv,
    to_xlsx,
)

__all__ = ["EXPORT_LIMIT", "ExportColumn", "PageFetcher", "collect_pages", "export_response"]


async def export_response(
    fmt: str,
    columns: Sequence[ExportColumn | tuple[str, str] | tuple[str, str, int]],
    rows: list[dict[str, Any]],
    *,
    actor: Actor,
    object_type: str,
    filename: str,
    title: str,
) -> Response:
    """The export of ``rows`` as ``fmt`` (``csv`` or ``xlsx``, else 400), audited once."""
    if fmt not in ("csv", "xlsx"):
        return Response("Format inconnu : csv ou xlsx", status_code=400, media_type="text/plain")
    cols = [c if isinstance(c, ExportColumn) else ExportColumn(*c) for c in columns]
    await audit.record(
        "export",
        object_type,
        len(rows),
        user_id=actor.user_id,
        fields=[c.key for c in cols],
        address=actor.address,
    )
    if fmt == "csv":
        body, media = to_csv(cols, rows), "text/csv; charset=utf-8"
    else:
        body, media = to_xlsx(cols, rows, title), XLSX_TYPE
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-{today().isoformat()}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )
