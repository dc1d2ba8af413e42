"""The report as an editable Word document (python-docx): the same chapters as the PDF,
real tables, charts as images, narratives with their Markdown formatting, and a table of
contents that Word or LibreOffice fills in when the document is opened.

The chart images are the PDF's own drawings: every chart of the report is compiled once
by Typst into PNG pages (:data:`CHARTS_TEMPLATE`), so the Word charts look like the PDF's.
"""

from __future__ import annotations

import io
import json
import threading
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

import tremplin_theme_default
from tremplin.i18n import gettext, number_symbols, use_language
from tremplin.reports.units import format_change, format_value

__all__ = ["chart_images", "clear_chart_cache", "to_docx"]

CHARTS_TEMPLATE = tremplin_theme_default.ROOT / "reports" / "charts.typ"


#: PNG of each chart description already drawn (key: the description as JSON), so that a
#: report made again (the web page's button, a generated version) compiles only the charts
#: whose data changed. Bounded: the oldest entries go first.
_PNG_CACHE: dict[str, bytes] = {}
_PNG_LOCK = threading.Lock()
PNG_CACHE_SIZE = 512


def clear_chart_cache() -> None:
    with _PNG_LOCK:
        _PNG_CACHE.clear()


def chart_images(charts: list[dict[str, Any]]) -> list[bytes]:
    """One PNG per chart description: those not drawn yet in one Typst compile (the PDF's
    drawing code), the others from the cache."""
    if not charts:
        return []
    keys = [json.dumps(c, ensure_ascii=False, sort_keys=True) for c in charts]
    with _PNG_LOCK:
        found = {k: _PNG_CACHE[k] for k in keys if k in _PNG_CACHE}
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        drawn = dict(zip(missing, _compile([json.loads(k) for k in missing]), strict=True))
        found.update(drawn)
        with _PNG_LOCK:
            _PNG_CACHE.update(drawn)
            while len(_PNG_CACHE) > PNG_CACHE_SIZE:
                del _PNG_CACHE[next(iter(_PNG_CACHE))]
    return [found[k] for k in keys]


def _compile(charts: list[dict[str, Any]]) -> list[bytes]:
    import shutil
    import tempfile
    from pathlib import Path

    import typst

    with tempfile.TemporaryDirectory(prefix="tremplin-charts-") as tmp:
        root = Path(tmp)
        for name in ("charts.typ", "lib.typ"):
            shutil.copyfile(CHARTS_TEMPLATE.parent / name, root / name)
        pages = typst.compile(
            str(root / "charts.typ"),
            root=str(root),
            format="png",
            ppi=110,
            sys_inputs={
                "charts": json.dumps(charts, ensure_ascii=False),
                "numbers": json.dumps(number_symbols()),
            },
            ignore_system_fonts=True,
            timestamp=0,
        )
    return pages if isinstance(pages, list) else [pages]


def _toc(document) -> None:
    """A Word table-of-contents field (filled in on opening: « Mettre à jour la table »)."""
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "Sommaire : mettez à jour la table (clic droit › Mettre à jour les champs)."
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, placeholder, end):
        run._r.append(element)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _runs(paragraph, runs: list[dict[str, Any]]) -> None:
    for r in runs:
        run = paragraph.add_run(r["text"])
        run.bold = r["bold"] or None
        run.italic = r["italic"] or None


def _narrative(document, blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        if block["type"] == "heading":
            _runs(document.add_heading(level=min(3 + block["level"], 9)), block["runs"])
        elif block["type"] == "list":
            style = "List Number" if block["ordered"] else "List Bullet"
            for item in block["items"]:
                _runs(document.add_paragraph(style=style), item)
        else:
            _runs(document.add_paragraph(), block["runs"])


def _table(document, headings: list[str], rows: list[list[str]], bold_last: bool = False):
    width = len(headings)
    # Every row made at once and the cells read in one pass: python-docx's ``add_row`` and
    # ``row.cells`` walk the whole table each time (a long table cost its square).
    table = document.add_table(rows=1 + len(rows), cols=width)
    table.style = "Table Grid"
    cells = table._cells
    for cell, text in zip(cells[:width], headings, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for i, values in enumerate(rows):
        line = cells[(i + 1) * width : (i + 2) * width]
        for j, (cell, text) in enumerate(zip(line, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            if bold_last and i == len(rows) - 1:
                run.bold = True
            if j:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()
    return table


def _key_figures(document, figures: list[dict[str, Any]], period: dict[str, Any]) -> None:
    _table(
        document,
        [
            gettext("Indicateur"),
            period["label"],
            period.get("previous_label", ""),
            gettext("Évolution"),
        ],
        [
            [
                f["label"],
                format_value(f["value"], f["unit"]),
                format_value(f["previous"], f["unit"]),
                format_change(f["change"], f["unit"]),
            ]
            for f in figures
        ],
    )


def to_docx(report: dict[str, Any]) -> bytes:
    """The report as a .docx, in the report's language (headings through the catalogue,
    numbers formatted by their unit by Babel)."""
    with use_language(report.get("lang", "fr")):
        return _to_docx(report)


def _to_docx(report: dict[str, Any]) -> bytes:
    period = report["period"]
    charts: list[dict[str, Any]] = []
    for chapter in report["programmes"]:
        if chapter.get("compare_chart"):
            charts.append(chapter["compare_chart"])
        for section in chapter["sections"]:
            charts.extend(t["chart_spec"] for t in section["tables"] if t.get("chart_spec"))
    images = iter(chart_images(charts))

    document = Document()
    styles = document.styles
    styles["Normal"].font.size = Pt(10.5)
    document.core_properties.title = f"{gettext('Rapport d’activité')} {period['label']}"
    document.core_properties.author = report["association"]
    document.add_paragraph(report["association"]).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(f"{gettext('Rapport d’activité')} {period['label']}", level=0)
    _toc(document)
    if report.get("empty"):
        document.add_paragraph(
            gettext(
                "Aucun ménage n’a été accompagné sur cette période : ce rapport n’a pas de "
                "chiffres à présenter."
            )
        )
    else:
        summary = report.get("summary")
        if summary:
            document.add_heading(gettext("Synthèse de l’association"), level=1)
            keys = ("places", "households", "people", "entries", "exits", "exits_to_housing")
            _table(
                document,
                [
                    "Programme",
                    "Places",
                    "Ménages",
                    "Personnes",
                    "Entrées",
                    "Sorties",
                    gettext("Vers le logement"),
                ],
                [
                    [g["name"]]
                    + [
                        f"{format_value(g['figures'].get(k), 'count')} "
                        f"({format_value(g['previous'].get(k), 'count')})"
                        for k in keys
                    ]
                    for g in summary["groups"]
                ],
            )
            document.add_heading(gettext("Toute l’association"), level=3)
            _key_figures(
                document,
                [f for f in summary["total"] if f["key"] not in ("places", "occupancy_rate")],
                period,
            )
        for chapter in report["programmes"]:
            # A programme of a group is a sub-part of the group's chapter: one level down.
            depth = 1 if chapter.get("parent") else 0
            if not depth:
                document.add_page_break()
            document.add_heading(chapter["name"], level=1 + depth)
            if chapter.get("empty"):
                document.add_paragraph(gettext("Aucune donnée pour cette période."))
                continue
            if chapter.get("key_figures"):
                document.add_heading(gettext("Chiffres clés"), level=2 + depth)
                _key_figures(document, chapter["key_figures"], period)
            if chapter.get("compare_chart"):
                document.add_picture(io.BytesIO(next(images)), width=Cm(12))
            for section in chapter["sections"]:
                shown = [t for t in section["tables"] if not t.get("is_empty")]
                blocks = section.get("narrative_blocks") or []
                if not shown and not blocks and not section.get("error"):
                    continue
                if section["title"] != chapter["name"]:
                    document.add_heading(section["title"], level=2 + depth)
                _narrative(document, blocks)
                if section.get("error"):
                    document.add_paragraph(section["error"])
                for table in section["tables"]:
                    if table.get("is_empty"):
                        document.add_paragraph().add_run(table.get("empty_text", "")).italic = True
                        continue
                    _indicator(document, table, period, 3 + depth)
                    if table.get("chart_spec"):
                        document.add_picture(io.BytesIO(next(images)), width=Cm(14))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _indicator(
    document, table: dict[str, Any], period: dict[str, Any] | None = None, level: int = 3
) -> None:
    document.add_heading(table["title"], level=level)
    unit = table.get("value_unit", "count")
    pct = table.get("has_percent", True)
    mixed = table.get("mixed_units", False)
    previous = bool(table.get("has_previous"))

    def value(figure: float | None, row_unit: str) -> str:
        text = format_value(figure, row_unit)
        if not mixed and row_unit in ("euros", "months", "days") and figure is not None:
            text = text.rsplit("\u00a0", 1)[0]  # the heading carries the unit
        return text

    rows = []
    for r in table["rows"]:
        row_unit = r.get("unit") or unit
        rows.append(
            [r["label"], value(r["count"], row_unit)]
            + (
                [value(r.get("previous"), row_unit), format_change(r.get("change"), row_unit)]
                if previous
                else []
            )
            + (
                [format_value(r["percent"], "percent") if r["percent"] is not None else ""]
                if pct
                else []
            )
        )
    if table.get("total") is not None:
        rows.append(
            [gettext("Total"), value(table["total"], unit)]
            + (
                [
                    value(table.get("previous_total"), unit),
                    format_change(table.get("total_change"), unit),
                ]
                if previous
                else []
            )
            + ([""] if pct else [])
        )
    heading = table.get("value_heading", gettext("Nombre"))
    headings = [
        gettext("Libellé"),
        f"{heading} {period['label']}" if previous and period else heading,
    ]
    if previous:
        headings += [table.get("previous_label", ""), gettext("Évolution")]
    headings += ["%"] if pct else []
    _table(document, headings, rows, bold_last=table.get("total") is not None)
    if table.get("note"):
        document.add_paragraph(table["note"]).runs[0].italic = True
