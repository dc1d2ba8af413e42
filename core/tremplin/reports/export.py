"""Report exports: JSON, XLSX (numbers stay numbers) and PDF through Typst."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

import tremplin_theme_default

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


def to_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet per indicator table; counts and percentages are numeric cells."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for chapter in report["programmes"]:
        for section in chapter["sections"]:
            for table in section["tables"]:
                name = f"{chapter['key'][:12]}-{table['key']}"[:31]
                while name in used:
                    name = name[:28] + f"~{len(used) % 100}"
                used.add(name)
                sheet = book.create_sheet(name)
                sheet.append([safe_cell(f"{chapter['name']} — {table['title']}")])
                sheet["A1"].font = Font(bold=True)
                sheet.append([safe_cell(report["association"]), report["period"]["label"]])
                sheet.append([])
                sheet.append(["Libellé", "Nombre", "%"])
                for cell in sheet[4]:
                    cell.font = Font(bold=True)
                for row in table["rows"]:
                    sheet.append([safe_cell(row["label"]), row["count"], row["percent"]])
                if table["total"] is not None:
                    sheet.append(["Total", table["total"], 100 if table["total"] else None])
                sheet.column_dimensions["A"].width = 60
    if not used:
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
        if logo is not None and logo.is_file() and logo.suffix.lower() in LOGO_TYPES:
            shutil.copyfile(logo, root / f"logo{logo.suffix.lower()}")
            data["logo"] = f"logo{logo.suffix.lower()}"
        return typst.compile(
            str(root / TEMPLATE.name),
            root=str(root),
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            ignore_system_fonts=True,
            timestamp=0,
        )
