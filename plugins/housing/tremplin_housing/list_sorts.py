"""Sorts of the housing lists, each on an index, with keyset pagination on (column, id).

Kept apart from the lists' filters and access rules (``views.py``): a sort orders the query a
list has already filtered, and the cursor names the last row shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARREARS_SORTS",
    "DWELLING_SORTS",
    "Sort",
    "arrears_page",
    "cursor_of",
    "sort_rows",
    "sorted_page",
]


@dataclass(frozen=True)
class Sort:
    """A sort of a list: its French label and the column ordered first (``""``: the id)."""

    label: str
    column: str = ""


#: Dwellings: by reference (the id: references are given in creation order), by status, by
#: typology; indexes housing_dwelling_status_id (0007) and housing_dwelling_typology_id (0011).
DWELLING_SORTS = {
    "reference": Sort("Référence"),
    "statut": Sort("Statut", "status"),
    "typologie": Sort("Typologie", "typology"),
}


def _parse(cursor: Any) -> tuple[str | None, int] | None:
    if cursor in (None, ""):
        return None
    if isinstance(cursor, int):
        return None, cursor
    value, sep, ident = str(cursor).rpartition("~")
    if not ident.isdigit() or len(ident) > 12:
        return None
    return (value if sep else None), int(ident)


def sorted_page(query: Any, table: Any, sort: Sort, cursor: Any, limit: int) -> Any:
    """``query`` ordered by ``sort`` then id, after ``cursor``, ``limit + 1`` rows."""
    parsed = _parse(cursor)
    if not sort.column:
        if parsed is not None:
            query = query.where(table.id > parsed[1])
        return query.order_by(table.id).limit(limit + 1)
    column = getattr(table, sort.column)
    if parsed is not None:
        value, ident = parsed
        value = value or ""
        query = query.where((column > value) | ((column == value) & (table.id > ident)))
    return query.order_by(column, table.id).limit(limit + 1)


def cursor_of(row: dict[str, Any], sort: Sort) -> int | str:
    """The cursor naming ``row`` as the last one shown."""
    if not sort.column:
        return row["id"]
    return f"{row[sort.column] or ''}~{row['id']}"


#: The arrears review: a list computed from the balances at a date (a few dozen households,
#: never a table scan), sorted in memory; the largest debt first by default.
ARREARS_SORTS = {
    "solde": Sort("Solde dû (le plus élevé d'abord)", "balance_cents"),
    "nom": Sort("Nom du ménage", "name"),
    "paiement": Sort("Dernier paiement (le plus ancien d'abord)", "last_payment"),
}


def _arrears_key(row: dict[str, Any], sort: str) -> tuple[Any, str]:
    """The order of an arrears row under ``sort``: its sorted value, ties by reference."""
    if sort == "nom":
        return str(row["name"]).casefold(), row["reference"]
    if sort == "paiement":
        # Never paid first, then the oldest payment.
        return (row["last_payment"] or dt.date.min).isoformat(), row["reference"]
    return -row["balance_cents"], row["reference"]


def sort_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """The arrears rows in the order of ``sort`` (:data:`ARREARS_SORTS`), ties by reference."""
    return sorted(rows, key=lambda r: _arrears_key(r, sort))


def _arrears_cursor(cursor: str, sort: str) -> tuple[Any, str] | None:
    value, sep, reference = str(cursor or "")[:200].rpartition("~")
    if not sep or not reference:
        return None
    if sort in ("nom", "paiement"):
        return value, reference
    try:
        return int(value), reference
    except ValueError:
        return None


def arrears_page(
    rows: list[dict[str, Any]], sort: str, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the arrears review sorted by ``sort``: the rows after ``cursor`` (keyset on
    the sorted value and the reference, so a row paid off meanwhile shifts nothing), at most
    ``limit``, and the cursor of the next page (``None`` after the last)."""
    ordered = sort_rows(rows, sort)
    after = _arrears_cursor(cursor, sort) if cursor else None
    if after is not None:
        ordered = [r for r in ordered if _arrears_key(r, sort) > after]
    page = ordered[:limit]
    if len(ordered) <= limit:
        return page, None
    value, reference = _arrears_key(page[-1], sort)
    return page, f"{value}~{reference}"
