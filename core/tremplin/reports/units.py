"""Units of indicator rows, and the shape every renderer (PDF, DOCX, XLSX, web) reads.

A row's unit decides its format: counts and people are whole numbers, percentages carry
« % », euros their cents, months and days one decimal. A percentage column appears only
in a table whose rows are counts of a whole (some row has a percentage).
"""

from __future__ import annotations

from typing import Any

from tremplin.i18n import N_, format_number, gettext

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
#: Column heading of each unit (French; translated when the table is shaped).
UNIT_LABELS = {
    "count": N_("Nombre"),
    "people": N_("Personnes"),
    "percent": "%",
    "euros": N_("Montant (€)"),
    "months": N_("Mois"),
    "days": N_("Jours"),
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
    if key.startswith("stay") or "(mois)" in label or "(months)" in label:
        return "months"
    if "(jours)" in label or "(days)" in label:
        return "days"
    if "(€)" in label or "(euros)" in label:
        return "euros"
    if key.endswith("_rate") or label.startswith(("taux", "rate")) or "(%)" in label:
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
        gettext(UNIT_LABELS[table["value_unit"]]) if not units else gettext("Valeur")
    )  # mixed units: each value carries its own
    table["mixed_units"] = bool(units)
    table["has_percent"] = any(
        r.get("percent") is not None for r in table["rows"]
    ) and table_unit in ("count", "people")
    table["is_empty"] = _is_empty(table)
    if table["is_empty"]:
        table["empty_text"] = table.get("empty") or (
            gettext("{title} : aucune donnée en {period}.").format(
                title=table["title"], period=period_label
            )
            if period_label.isdigit()
            else gettext("{title} : aucune donnée sur la période.").format(title=table["title"])
        )
    return table


def format_value(value: float | None, unit: str) -> str:
    """A figure in the current language with its unit (:mod:`tremplin.i18n`): « 1 234 »,
    « 12,5 % », « 1 234,50 € », « 17,2 mois » in French."""
    from tremplin import i18n

    if value is None:
        return "—"
    if unit == "euros":
        return i18n.format_money(round(value * 100))
    if unit == "percent":
        return i18n.format_percent(value, 1)
    if unit == "months":
        return gettext("{n}\u00a0mois").format(n=i18n.format_decimal(value, 1, fixed=True))
    if unit == "days":
        return gettext("{n}\u00a0j").format(n=format_number(round(value)))
    if isinstance(value, float) and not value.is_integer():
        return i18n.format_decimal(value, 1, fixed=True)
    return format_number(value)


def format_change(value: float | None, unit: str) -> str:
    """A year-on-year change: « +11 », « −5,5 mois », « +13 pts » (percentages change by
    points), « = » for none, « — » when a side has no value."""
    if value is None:
        return "—"
    if value == 0:
        return "="
    body = (
        gettext("{n}\u00a0pts").format(n=format_value(abs(value), "count"))
        if unit == "percent"
        else format_value(abs(value), unit)
    )
    return ("+" if value > 0 else "−") + body
