"""Sorts of the housing lists, each on an index, with keyset pagination on (column, id).

Kept apart from the lists' filters and access rules (``views.py``): a sort orders the query a
list has already filtered, and the cursor names the last row shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tremplin.api import N_

__all__ = [
    "ARREARS_SORTS",
    "DWELLING_SORTS",
    "Sort",
    "arrears_cursor",
    "arrears_order",
    "cursor_of",
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


#: The arrears review, sorted in SQL on the balance timeline (``housing_balance_span``) at
#: the review's date, ties by household id: by balance (index housing_balance_span_balance),
#: by name (household_name_id), by last payment, never paid first
#: (housing_balance_span_payment).
ARREARS_SORTS = {
    "solde": Sort(N_("Solde dû (le plus élevé d'abord)"), "balance_cents"),
    "nom": Sort(N_("Nom du ménage"), "name"),
    "paiement": Sort(N_("Dernier paiement (le plus ancien d'abord)"), "last_payment"),
}


def arrears_cursor(row: dict[str, Any], sort: str) -> str:
    """The cursor naming an arrears row as the last one shown (before ``last_payment``
    becomes ``None`` for « jamais »)."""
    if sort == "nom":
        value: Any = row["name"]
    elif sort == "paiement":
        value = row["last_payment"].isoformat()
    else:
        value = row["balance_cents"]
    return f"{value}~{row['household_id']}"


def _arrears_after(cursor: str | None, sort: str) -> tuple[Any, int] | None:
    value, sep, ident = str(cursor or "")[:200].rpartition("~")
    if not sep or not ident.isdigit() or len(ident) > 12:
        return None
    try:
        if sort == "paiement":
            return dt.date.fromisoformat(value), int(ident)
        if sort == "nom":
            return value, int(ident)
        return int(value), int(ident)
    except ValueError:
        return None


def arrears_order(query: Any, sort: str, cursor: str | None) -> Any:
    """``query`` on ``BalanceSpan`` ordered by ``sort`` (:data:`ARREARS_SORTS`) then the
    household id, after ``cursor`` (keyset: a row paid off meanwhile shifts nothing)."""
    from tremplin_housing.tables import BalanceSpan

    household = BalanceSpan.household
    after = _arrears_after(cursor, sort)
    if sort == "nom":
        column, ascending = BalanceSpan.household.name, True
    elif sort == "paiement":
        column, ascending = BalanceSpan.last_payment, True
    else:
        column, ascending = BalanceSpan.balance_cents, False
    if after is not None:
        value, ident = after
        beyond = column > value if ascending else column < value
        query = query.where(beyond | ((column == value) & (household > ident)))
    return query.order_by(column, ascending=ascending).order_by(household)
