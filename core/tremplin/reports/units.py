"""Units of indicator rows, and the shape every renderer (PDF, DOCX, XLSX, web) reads.

A row's unit decides its format: counts and people are whole numbers, percentages carry
« % », euros their cents, months and days one decimal. A percentage column appears only
in a table whose rows are counts of a whole (some row has a percentage).
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNIT_LABELS", "format_change", "format_value", "resolve_unit", "shape_table"]

#: French words plugins used as table units → the unit of :data:`tremplin.types.UNITS`.
_WORDS = {
    "": "count",
    "ménages": "count",
    "contacts": "count",
    "nombre": "count",
    "personnes": "people",
    "adultes": "people",
    "jeunes": "people",
    "euros": "euros",
    "€": "euros",
    "mois": "months",
    "jours": "days",
    "%": "percent",
    "pourcentage": "percent",
}
UNITS = ("count", "people", "percent", "euros", "months", "days")
#: Column heading of each unit (French; the English report maps them through its dictionary).
UNIT_LABELS = {
    "count": "Nombre",
    "people": "Personnes",
    "percent": "%",
    "euros": "Montant (€)",
    "months": "Mois",
    "days": "Jours",
}
#: Excel number format of each unit (percentages are stored as fractions).
XLSX_FORMATS = {
    "count": "#,##0",
    "people": "#,##0",
    "percent": "0.0 %",
    "euros": '#,##0.00 "€"',
    "months": "0.0",
    "days": "#,##0",
}


def resolve_unit(unit: str) -> str:
    """The unit of :data:`UNITS` a table's or row's ``unit`` names (default ``count``)."""
    unit = (unit or "").strip().lower()
    if unit in UNITS:
        return unit
    return _WORDS.get(unit, "count")


def _row_unit(row: dict[str, Any], table_unit: str) -> str:
    if row.get("unit"):
        return resolve_unit(row["unit"])
    key = str(row.get("key") or "")
    label = str(row.get("label") or "").lower()
    # Rows whose meaning is plain from their key or label, whatever the table says.
    if key.startswith("stay") or "(mois)" in label:
        return "months"
    if "(jours)" in label:
        return "days"
    if "(€)" in label or "(euros)" in label:
        return "euros"
    if key.endswith("_rate") or label.startswith("taux") or "(%)" in label:
        return "percent"
    return table_unit


def _is_empty(table: dict[str, Any]) -> bool:
    return not any(r["count"] for r in table["rows"])


def shape_table(table: dict[str, Any], period_label: str) -> dict[str, Any]:
    """Add what renderers need to a table dict, in place: each row's ``unit``, the table's
    ``value_unit`` (for the column heading), ``has_percent``, ``is_empty`` and
    ``empty_text`` (the one sentence printed instead of an empty table)."""
    table_unit = resolve_unit(table.get("unit", ""))
    for row in table["rows"]:
        row["unit"] = _row_unit(row, table_unit)
    units = {r["unit"] for r in table["rows"]}
    table["value_unit"] = units.pop() if len(units) == 1 else table_unit
    table["value_heading"] = (
        UNIT_LABELS[table["value_unit"]] if not units else "Valeur"
    )  # mixed units: each value carries its own
    table["mixed_units"] = bool(units)
    table["has_percent"] = any(
        r.get("percent") is not None for r in table["rows"]
    ) and table_unit in ("count", "people")
    table["is_empty"] = _is_empty(table)
    if table["is_empty"]:
        table["empty_text"] = table.get("empty") or (
            f"{table['title']} : aucune donnée en {period_label}."
            if period_label.isdigit()
            else f"{table['title']} : aucune donnée sur la période."
        )
    return table


def _french_number(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def format_value(value: float | None, unit: str) -> str:
    """A figure the French way with its unit: « 1 234 », « 12,5 % », « 1 234,50 € », « 17,2 mois »."""
    if value is None:
        return "—"
    if unit == "euros":
        return _french_number(value, 2) + "\u00a0€"
    if unit == "percent":
        return _french_number(value, 1).removesuffix(",0") + "\u00a0%"
    if unit == "months":
        return _french_number(value, 1) + "\u00a0mois"
    if unit == "days":
        return _french_number(value, 0) + "\u00a0j"
    if isinstance(value, float) and not value.is_integer():
        return _french_number(value, 1)
    return _french_number(value, 0)


def format_change(value: float | None, unit: str) -> str:
    """A year-on-year change: « +11 », « −5,5 mois », « +13 pts » (percentages change by
    points), « = » for none, « — » when a side has no value."""
    if value is None:
        return "—"
    if value == 0:
        return "="
    body = (
        format_value(abs(value), "count") + "\u00a0pts"
        if unit == "percent"
        else format_value(abs(value), unit)
    )
    return ("+" if value > 0 else "−") + body
