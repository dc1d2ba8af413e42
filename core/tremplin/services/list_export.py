"""CSV and XLSX of the list on screen, shared by every list (households, dwellings, arrears,
deadlines, the desk, the boarding houses…); the web answer is :mod:`tremplin.web.exports`.

A list page gathers its rows (its own filters and sort, within what the user may see: the
page's query, never a wider one), names its columns, and answers with
:func:`export_response`: one audit entry (``export``, the list's object type, the number of
rows, the column keys), CSV in UTF-8 with a BOM and « ; » separators (French Excel opens it
as is) or an XLSX sheet, no cell a spreadsheet would run as a formula, dates in French in the
association's time zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tremplin.services.clock import zone

__all__ = ["EXPORT_LIMIT", "ExportColumn", "PageFetcher", "collect_pages", "to_csv", "to_xlsx"]

#: The most rows an export carries (a list page gathers at most this many).
EXPORT_LIMIT = 20_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: A list's page reader for :func:`collect_pages`: ``fetch(cursor, size)`` answers the rows
#: after ``cursor`` (``None``: the first page), at most ``size``, and the next page's cursor
#: (``None`` after the last page).
PageFetcher = Callable[[Any, int], Awaitable[tuple[list[dict[str, Any]], Any]]]


async def collect_pages(
    fetch: PageFetcher, *, page_size: int = 500, limit: int = EXPORT_LIMIT
) -> list[dict[str, Any]]:
    """Every row of a keyset-paginated list, page after page through the list's own query
    (its filters, sort and access rules), at most ``limit`` rows: what an export of the
    list on screen carries."""
    rows: list[dict[str, Any]] = []
    cursor: Any = None
    while len(rows) < limit:
        page, cursor = await fetch(cursor, min(page_size, limit - len(rows)))
        rows.extend(page)
        if cursor is None or not page:
            break
    return rows[:limit]


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: the row key, its French header, its XLSX width."""

    key: str
    label: str
    width: int = 20


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(zone()).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return " ; ".join(str(v) for v in value)
    return "" if value is None else value


def _safe(value: Any) -> Any:
    """A text starting with = + - @ is not run as a formula by a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _columns(
    columns: Iterable[ExportColumn | tuple[str, str] | tuple[str, str, int]],
) -> list[ExportColumn]:
    return [c if isinstance(c, ExportColumn) else ExportColumn(*c) for c in columns]


def to_csv(
    columns: Iterable[ExportColumn | tuple[str, str] | tuple[str, str, int]], rows: Iterable[dict]
) -> bytes:
    """UTF-8 with a BOM and « ; » separators."""
    cols = _columns(columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in cols])
    for row in rows:
        writer.writerow([_safe(_cell(row.get(c.key))) for c in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    columns: Iterable[ExportColumn | tuple[str, str] | tuple[str, str, int]],
    rows: Iterable[dict],
    title: str,
) -> bytes:
    """One sheet named ``title``, bold headers, frozen first row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = _columns(columns)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.label for c in cols])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(_cell(row.get(c.key))) for c in cols])
    for i, c in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = c.width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
