"""Report exports: JSON, XLSX (numbers stay numbers) and PDF through Typst."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

import tremplin_theme_default
from tremplin.i18n import gettext, number_symbols, use_language

__all__ = ["FORMULA_PREFIXES", "safe_cell", "to_json", "to_pdf", "to_xlsx"]

TEMPLATE = tremplin_theme_default.ROOT / "reports" / "report.typ"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = name.translate(_BAD_SHEET_CHARS).strip("' ")[:31] or "Programme"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _cell_value(value: Any, unit: str) -> Any:
    # Percentages are stored as fractions so that Excel's « % » format shows them right.
    if value is None:
        return None
    return value / 100 if unit == "percent" else value


def _write_row(sheet, values: list[Any], formats: list[str | None], bold: bool = False) -> None:
    sheet.append([safe_cell(v) for v in values])
    for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)


def _key_figures(sheet, figures: list[dict[str, Any]], period: dict[str, Any]) -> None:
    from tremplin.reports.units import XLSX_FORMATS

    _write_row(
        sheet,
        [
            gettext("Chiffres clés"),
            period["label"],
            period.get("previous_label", ""),
            gettext("Évolution"),
        ],
        [None] * 4,
        bold=True,
    )
    for f in figures:
        fmt = XLSX_FORMATS.get(f["unit"], "#,##0")
        change_fmt = "0.0" if f["unit"] == "percent" else fmt  # points, not a share
        _write_row(
            sheet,
            [
                f["label"],
                _cell_value(f["value"], f["unit"]),
                _cell_value(f["previous"], f["unit"]),
                f["change"],
            ],
            [None, fmt, fmt, change_fmt],
        )
    sheet.append([])


#: Rows a native chart takes below its table's heading (7.5 cm high at the default row height).
CHART_ROWS = 16


def _table(sheet, table: dict[str, Any], period: dict[str, Any]) -> None:
    """One indicator table under its title: value, then (N-1) the previous year's value and
    the change, then the share; a native Excel bar chart beside it when it has a chart."""
    from tremplin.reports.units import XLSX_FORMATS

    table_unit = table.get("value_unit", "count")
    pct = table.get("has_percent", True)
    previous = bool(table.get("has_previous"))
    heading = table.get("value_heading", gettext("Nombre"))
    headings = [table["title"], f"{heading} {period['label']}" if previous else heading]
    if previous:
        headings += [table.get("previous_label", ""), gettext("Évolution")]
    headings += ["%"] if pct else []
    _write_row(sheet, headings, [None] * len(headings), bold=True)
    first = sheet.max_row

    def change_format(unit: str) -> str:
        return "0.0" if unit == "percent" else XLSX_FORMATS.get(unit, "#,##0")

    for row in table["rows"]:
        unit = row.get("unit") or table_unit
        fmt = XLSX_FORMATS.get(unit, "#,##0")
        values = [row["label"], _cell_value(row["count"], unit)]
        formats = [None, fmt]
        if previous:
            values += [_cell_value(row.get("previous"), unit), row.get("change")]
            formats += [fmt, change_format(unit)]
        if pct:
            values.append(_cell_value(row["percent"], "percent"))
            formats.append(XLSX_FORMATS["percent"])
        _write_row(sheet, values, formats)
    last = sheet.max_row
    if table.get("total") is not None:
        fmt = XLSX_FORMATS.get(table_unit, "#,##0")
        values = [gettext("Total"), _cell_value(table["total"], table_unit)]
        formats = [None, fmt]
        if previous:
            values += [
                _cell_value(table.get("previous_total"), table_unit),
                table.get("total_change"),
            ]
            formats += [fmt, change_format(table_unit)]
        if pct:
            values.append(1 if table["total"] else None)
            formats.append(XLSX_FORMATS["percent"])
        _write_row(sheet, values, formats, bold=True)
    if table.get("chart_spec") and last > first:
        _chart(sheet, table, first, last, previous)
        for _ in range(first + CHART_ROWS - sheet.max_row):
            sheet.append([])  # room for the chart before the next table
    sheet.append([])


def _chart(sheet, table: dict[str, Any], heading_row: int, last_row: int, previous: bool) -> None:
    """A native Excel bar chart of the table's values (and last year's, beside them)."""
    from openpyxl.chart import BarChart, Reference

    spec = table["chart_spec"]
    chart = BarChart()
    chart.type = "col" if spec.get("kind") == "columns" else "bar"
    chart.title = table["title"]
    chart.style = 2
    chart.height, chart.width = 7.0, 13.0
    chart.legend = chart.legend if previous else None
    values = Reference(
        sheet, min_col=2, max_col=3 if previous else 2, min_row=heading_row, max_row=last_row
    )
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=heading_row + 1, max_row=last_row))
    if chart.type == "bar":
        chart.y_axis.scaling.orientation = "minMax"
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    colours = spec.get("colours") or {}
    for series, colour in zip(
        chart.series, (colours.get("main"), colours.get("previous")), strict=False
    ):
        if colour:
            series.graphicalProperties.solidFill = colour.lstrip("#")
            series.graphicalProperties.line.solidFill = "000000"
    sheet.add_chart(
        chart, f"{'G' if table.get('has_percent', True) or previous else 'D'}{heading_row}"
    )


def to_xlsx(report: dict[str, Any]) -> bytes:
    """A summary sheet, then one sheet per programme with its tables stacked under their
    titles, in the report's language. Numbers stay numbers, with Excel number formats by
    unit (counts, %, €, months): Excel shows them in the reader's own locale."""
    with use_language(report.get("lang", "fr")):
        return _to_xlsx(report)


def _to_xlsx(report: dict[str, Any]) -> bytes:

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    period = report["period"]
    summary = report.get("summary")
    if summary is not None:
        sheet = book.create_sheet(_sheet_name(gettext("Synthèse"), used))
        title = f"{report['association']} — {gettext('Rapport d’activité')} {period['label']}"
        sheet.append([safe_cell(title)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        headings = [
            gettext(w)
            for w in ("Programme", "Places", "Ménages", "Personnes", "Entrées", "Sorties")
        ]
        headings.append(gettext("Sorties vers le logement"))
        _write_row(sheet, headings, [None] * 7, bold=True)
        keys = ("places", "households", "people", "entries", "exits", "exits_to_housing")
        for group in summary["groups"]:
            _write_row(
                sheet,
                [group["name"], *(group["figures"].get(k) for k in keys)],
                [None] + ["#,##0"] * 6,
            )
        sheet.append([])
        _key_figures(sheet, summary["total"], period)
        sheet.column_dimensions["A"].width = 48
    for chapter in report["programmes"]:
        sheet = book.create_sheet(_sheet_name(chapter["name"], used))
        title = chapter["name"]
        if chapter.get("parent"):
            parent = next(c for c in report["programmes"] if c["key"] == chapter["parent"])
            title = f"{parent['name']} › {title}"
        sheet.append([safe_cell(f"{title} — {period['label']}")])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([safe_cell(report["association"])])
        sheet.append([])
        if chapter.get("empty"):
            sheet.append([gettext("Aucune donnée pour cette période.")])
            continue
        if chapter.get("key_figures"):
            _key_figures(sheet, chapter["key_figures"], period)
        for section in chapter["sections"]:
            for table in section["tables"]:
                if table.get("is_empty"):
                    sheet.append([safe_cell(table.get("empty_text") or table["title"])])
                    continue
                _table(sheet, table, period)
        sheet.column_dimensions["A"].width = 60
        for column in "BCDE":
            sheet.column_dimensions[column].width = 14
    if not book.sheetnames:
        book.create_sheet("vide").append(["aucune donnée"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LOGO_TYPES = {".png", ".jpg", ".jpeg", ".svg"}


def to_pdf(report: dict[str, Any], logo: Path | None = None) -> bytes:
    """Compile the Typst template with the report as JSON input (no network, fixed time).

    A logo (PNG, JPEG or SVG) goes on the cover: the template and the logo are compiled from
    a private temporary folder, since Typst reads files only under its root.
    """
    import shutil
    import tempfile

    import typst

    data = {**report, "logo": None}
    with tempfile.TemporaryDirectory(prefix="tremplin-report-") as tmp:
        root = Path(tmp)
        shutil.copyfile(TEMPLATE, root / TEMPLATE.name)
        shutil.copyfile(TEMPLATE.parent / "lib.typ", root / "lib.typ")
        if logo is not None and logo.is_file() and logo.suffix.lower() in LOGO_TYPES:
            shutil.copyfile(logo, root / f"logo{logo.suffix.lower()}")
            data["logo"] = f"logo{logo.suffix.lower()}"
        return typst.compile(
            str(root / TEMPLATE.name),
            root=str(root),
            sys_inputs={
                "data": json.dumps(data, ensure_ascii=False),
                # Babel's separators for the report's language (lib.typ's num()).
                "numbers": json.dumps(number_symbols(report.get("lang", "fr"))),
            },
            ignore_system_fonts=True,
            timestamp=0,
        )
