"""Sorts of the housing lists, each on an index, with keyset pagination on (column, id).

Kept apart from the lists' filters and access rules (``views.py``): a sort orders the query a
list has already filtered, and the cursor names the last row shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tremplin.api import N_

__all__ = ["ARREARS_SORTS", "DWELLING_SORTS", "Sort", "cursor_of", "sort_rows", "sorted_page"]


@dataclass(frozen=True)
class Sort:
    """A sort of a list: its French label and the column ordered first (``""``: the id)."""

    label: str
    column: str = ""


#: Dwellings: by reference (the id: references are given in creation order), by status, by
#: typology; indexes housing_dwelling_status_id (0007) and housing_dwelling_typology_id (0011).
DWELLING_SORTS = {
    "reference": Sort(N_("Référence")),
    "statut": Sort(N_("Statut"), "status"),
    "typologie": Sort(N_("Typologie"), "typology"),
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
    "solde": Sort(N_("Solde dû (le plus élevé d'abord)"), "balance_cents"),
    "nom": Sort(N_("Nom du ménage"), "name"),
    "paiement": Sort(N_("Dernier paiement (le plus ancien d'abord)"), "last_payment"),
}


def sort_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """The arrears rows in the order of ``sort`` (:data:`ARREARS_SORTS`), ties by reference."""
    import datetime as dt

    if sort == "nom":
        return sorted(rows, key=lambda r: (str(r["name"]).casefold(), r["reference"]))
    if sort == "paiement":
        # Never paid first, then the oldest payment.
        return sorted(rows, key=lambda r: (r["last_payment"] or dt.date.min, r["reference"]))
    return sorted(rows, key=lambda r: (-r["balance_cents"], r["reference"]))
