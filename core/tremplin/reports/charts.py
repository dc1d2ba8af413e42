"""One chart description per distribution, drawn three ways from the same data: by Typst
primitives in the PDF (and the DOCX images), and as SVG on the web report page.

Kinds: ``columns`` (vertical bars with a value axis: ages, durations), ``bars`` (horizontal
bars with shares: composition, resources, prescribers, destinations) and ``compare``
(this year against the previous one, side by side). Colours come from the theme; the two
series of a comparison differ by shade *and* by outline, so they read in black and white.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from tremplin.i18n import format_decimal, gettext

__all__ = ["COLOURS", "chart_for_table", "compare_chart", "nice_ticks", "svg"]

#: The theme's colours (dark: this year; light: the previous year; grid lines).
COLOURS = {"main": "#1f5f8b", "previous": "#a9c6dd", "grid": "#c8c8c8", "text": "#222222"}
_COLUMN_TABLES = ("age", "duration", "stay", "length")


def nice_ticks(top: float, count: int = 4, whole: bool = True) -> list[float]:
    """Round axis graduations from 0 to at least ``top`` (whole steps for counts)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 6))
    return [int(t) if float(t).is_integer() else t for t in ticks]


def chart_for_table(table: dict[str, Any]) -> dict[str, Any] | None:
    """The chart of an indicator table that asks for one and has something to show."""
    if not table.get("chart") or table.get("is_empty"):
        return None
    rows = [r for r in table["rows"] if r["count"] is not None]
    if not rows:
        return None
    key = table["key"]
    kind = "columns" if any(word in key for word in _COLUMN_TABLES) else "bars"
    if kind == "bars":
        rows = [r for r in rows if r["count"]]  # a share of nothing adds no bar
    items = [{"label": r["label"], "value": r["count"], "percent": r.get("percent")} for r in rows]
    top = max(i["value"] for i in items)
    return {
        "kind": kind,
        "title": table["title"],
        "unit": table.get("value_unit", "count"),
        "items": items,
        "ticks": nice_ticks(top, whole=table.get("value_unit") in ("count", "people")),
        "colours": COLOURS,
    }


def compare_chart(figures: list[dict[str, Any]], year: str, previous: str) -> dict[str, Any]:
    """This year against the previous one for the counts of the key figures."""
    short = {
        "households": gettext("Ménages"),
        "entries": gettext("Entrées"),
        "exits": gettext("Sorties"),
        "exits_to_housing": gettext("Vers le logement"),
    }
    keys = tuple(short)
    items: list[dict[str, Any]] = [
        {"label": short[f["key"]], "value": f["value"] or 0, "previous": f["previous"] or 0}
        for f in figures
        if f["key"] in keys and f["value"] is not None
    ]
    top = max([i["value"] for i in items] + [i["previous"] for i in items] + [0])
    return {
        "kind": "compare",
        "title": f"{year} et {previous}",
        "unit": "count",
        "items": items,
        "ticks": nice_ticks(top),
        "series": [year, previous],
        "colours": COLOURS,
    }


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(value, 1, fixed=True)
    return str(int(value))


def svg(chart: dict[str, Any]) -> str:
    """The chart as an accessible inline SVG (escaped text, no script, no external file)."""
    c = chart["colours"]
    top = chart["ticks"][-1] or 1
    items = chart["items"]
    title = escape(chart["title"])
    out: list[str] = []
    if chart["kind"] == "bars":
        label_w, bar_w, row_h = 230, 300, 22
        height = row_h * len(items) + 24
        width = label_w + bar_w + 70
        for i, item in enumerate(items):
            y = i * row_h + 4
            w = item["value"] / top * bar_w
            pct = f" ({_number(item['percent'])} %)" if item.get("percent") is not None else ""
            out.append(
                f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
                f"{escape(item['label'][:42])}</text>"
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{c["main"]}" stroke="{c["text"]}" stroke-width="0.5"/>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_number(item["value"])}{pct}</text>'
            )
        axis_y = row_h * len(items) + 4
        for t in chart["ticks"]:
            x = label_w + t / top * bar_w
            out.append(
                f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{axis_y}" stroke="{c["grid"]}" '
                f'stroke-width="0.5"/><text x="{x:.1f}" y="{axis_y + 14}" '
                f'text-anchor="middle" class="tick">{_number(t)}</text>'
            )
    else:
        series = 2 if chart["kind"] == "compare" else 1
        col_w, gap, plot_h, left = 26 * series, 18, 160, 40
        width = left + len(items) * (col_w + gap) + 20
        height = plot_h + 60
        for t in chart["ticks"]:
            y = plot_h - t / top * plot_h + 10
            out.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
                f'stroke="{c["grid"]}" stroke-width="0.5"/><text x="{left - 4}" y="{y + 4:.1f}" '
                f'text-anchor="end" class="tick">{_number(t)}</text>'
            )
        for i, item in enumerate(items):
            x = left + gap / 2 + i * (col_w + gap)
            values = [item["value"]] + ([item["previous"]] if series == 2 else [])
            for s, value in enumerate(values):
                h = value / top * plot_h
                fill = c["main"] if s == 0 else c["previous"]
                out.append(
                    f'<rect x="{x + s * 26:.1f}" y="{plot_h - h + 10:.1f}" width="22" '
                    f'height="{h:.1f}" fill="{fill}" stroke="{c["text"]}" stroke-width="0.5"/>'
                    f'<text x="{x + s * 26 + 11:.1f}" y="{plot_h - h + 6:.1f}" '
                    f'text-anchor="middle" class="tick">{_number(value)}</text>'
                )
            out.append(
                f'<text x="{x + col_w / 2:.1f}" y="{plot_h + 26}" text-anchor="middle">'
                f"{escape(item['label'][:22])}</text>"
            )
        if series == 2:
            for s, name in enumerate(chart["series"]):
                fill = c["main"] if s == 0 else c["previous"]
                out.append(
                    f'<rect x="{left + s * 90}" y="{plot_h + 38}" width="12" height="12" '
                    f'fill="{fill}" stroke="{c["text"]}" stroke-width="0.5"/>'
                    f'<text x="{left + s * 90 + 16}" y="{plot_h + 48}">{escape(str(name))}</text>'
                )
    return (
        f'<svg class="chart" role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="11" font-family="sans-serif" fill="{c["text"]}"><title>{title}</title>'
        + "".join(out)
        + "</svg>"
    )
