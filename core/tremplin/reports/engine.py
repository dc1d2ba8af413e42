"""Assemble a report: for each programme, the sections the enabled plugins contribute."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from tremplin.plugins import PluginHost
from tremplin.services.clock import now
from tremplin.types import IndicatorTable, Period, ReportContext

__all__ = ["ReportError", "build_report"]

log = logging.getLogger("tremplin.reports")


class ReportError(ValueError):
    """A report that cannot be made (unknown or disabled programme…); French message."""


def _sections_for(host: PluginHost, programme: str) -> list[tuple[str, Any]]:
    """(plugin name, section) pairs for a programme, sorted by ``order`` (collected once at
    start-up: the programme's spec and the cross-cutting ``tremplin_report_sections``)."""
    return host.report_sections(programme)


def check_groups(groups: tuple[tuple[str, tuple[str, ...]], ...], host: PluginHost) -> None:
    """Refuse (at start-up) a report group that names a programme not enabled here."""
    from tremplin.config import ConfigError

    seen: dict[str, str] = {}
    for name, keys in groups:
        for key in keys:
            if key not in host.programmes:
                raise ConfigError(
                    f"report_groups : le groupe « {name} » nomme le programme « {key} », "
                    "inconnu ou désactivé"
                )
            if key in seen:
                raise ConfigError(
                    f"report_groups : le programme « {key} » est dans deux groupes "
                    f"(« {seen[key]} » et « {name} »)"
                )
            seen[key] = name


def _context(host: PluginHost, key: str, period: Period, places: int | None) -> ReportContext:
    programme = host.programmes[key]
    return ReportContext(
        key,
        programme.name_fr,
        period,
        places,
        programme.max_duration_months,
        programme.prescribers,
        programme.exit_destinations,
        {
            k: e.label
            for k, e in host.event_types.items()
            if e.contact and e.programme in (None, key)
        },
    )


#: Rows of the common overview that the key figures already print.
KEY_FIGURE_ROWS = frozenset(
    {"places", "households", "people", "ongoing", "entries", "exits", "stay_exits_mean"}
)


def _dedupe(sections: list[dict[str, Any]]) -> None:
    """No table twice in a chapter: a later table with the same title is left out."""
    seen: set[str] = set()
    for section in sections:
        kept = []
        for table in section["tables"]:
            if table["title"] in seen:
                continue
            seen.add(table["title"])
            kept.append(table)
        section["tables"] = kept


async def build_report(
    host: PluginHost,
    programmes: list[str] | str,
    period: Period,
    association: str,
    groups: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> dict[str, Any]:
    """The report as plain data (JSON-ready): a summary of the association, then
    programmes → key figures (with the previous year) → sections → indicator tables.

    ``programmes`` is a list of keys or ``"all"`` (every enabled programme). ``groups``
    (the configuration's ``report_groups``) puts programmes together in the summary and
    gives each group its own key figures; members of a group follow each other.
    """
    from tremplin.reports.capacity import capacities
    from tremplin.reports.charts import chart_for_table, compare_chart
    from tremplin.reports.keyfigures import compare, key_figures, load_stays, previous_period
    from tremplin.reports.markdown import parse
    from tremplin.reports.units import shape_table

    keys = host.programme_keys if programmes == "all" else list(programmes)
    for key in keys:
        if key not in host.programmes:
            raise ReportError(f"programme inconnu ou désactivé : « {key} »")
    # Members of a group follow each other, in the group's order, where the first stood.
    group_of = {k: name for name, members in groups for k in members if k in keys}
    ordered: list[str] = []
    for key in keys:
        if key in ordered:
            continue
        name = group_of.get(key)
        ordered.extend(
            [k for g, members in groups if g == name for k in members if k in keys]
            if name
            else [key]
        )
    keys = ordered
    before = previous_period(period)
    label, previous_label = period.label, before.label
    years = sorted({period.start.year, before.start.year})
    places = await capacities(keys, years)
    stays = await load_stays(keys, before.start, period.end)
    chapters = []
    for key in keys:
        programme = host.programmes[key]
        capacity = places.get((key, period.start.year))
        ctx = _context(host, key, period, capacity.places if capacity else None)
        sections = []
        for plugin, section in _sections_for(host, key):
            try:
                tables = list(await section.compute(ctx))
                error = None
            except Exception:
                log.exception("plugin %s failed computing report section %s", plugin, section.key)
                tables, error = [], f"section indisponible (erreur du plugin {plugin})"
            sections.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "error": error,
                    "tables": [shape_table(table_dict(t), label) for t in tables],
                    "activity": section.activity,
                }
            )
        _dedupe(sections)
        # The overview's counts open the chapter as key figures: printed once, there.
        for section in sections:
            for table in section["tables"]:
                if table["key"] == "overview":
                    for row in table["rows"]:
                        row["in_key_figures"] = row["key"] in KEY_FIGURE_ROWS
        for section in sections:
            for table in section["tables"]:
                table["chart_spec"] = chart_for_table(table)
        empty = not any(
            row["count"]
            for s in sections
            for t in s["tables"]
            if t["key"] == "overview"
            for row in t["rows"]
            if row["key"] in ("households", "entries", "exits")
        ) and not any(
            row["count"]
            for s in sections
            if s["activity"]
            for t in s["tables"]
            for row in t["rows"]
        )
        # Figures of a programme's own sections (its dwellings, its desk…) are activity too.
        empty = empty and all(
            t["is_empty"] for s in sections if s["key"] != "indicators" for t in s["tables"]
        )
        figures = compare(
            key_figures(stays, [key], period, capacity),
            key_figures(stays, [key], before, places.get((key, before.start.year))),
            capacity,
            previous_label,
        )
        chapters.append(
            {
                "key": key,
                "name": programme.name_fr,
                "group": group_of.get(key),
                "places": capacity.places if capacity else None,
                "empty": empty,
                "key_figures": figures,
                "compare_chart": None if empty else compare_chart(figures, label, previous_label),
                "sections": sections,
            }
        )
    summary_groups = []
    for name, members in [*groups, *((k, (k,)) for k in keys if k not in group_of)]:
        members = tuple(k for k in members if k in keys)
        if not members:
            continue

        def total(year: int, members=members):
            caps = [places.get((k, year)) for k in members]
            known = [c for c in caps if c]
            if not known:
                return None
            return type(known[0])(sum(c.places for c in known))

        cap_now = total(period.start.year)
        figures = key_figures(stays, list(members), period, cap_now)
        previous = key_figures(stays, list(members), before, total(before.start.year))
        summary_groups.append(
            {
                "name": name if name in group_of.values() else host.programmes[name].name_fr,
                "programmes": list(members),
                "is_group": name in group_of.values(),
                "figures": figures,
                "previous": previous,
                "key_figures": compare(figures, previous, None, previous_label),
            }
        )
    whole = key_figures(stays, keys, period, None)
    whole_before = key_figures(stays, keys, before, None)
    if period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    ):
        from tremplin.reports.narratives import attach, load_all_narratives

        attach({"programmes": chapters}, await load_all_narratives(keys, period.start.year))
    for chapter in chapters:
        for section in chapter["sections"]:
            section["narrative_blocks"] = parse(section.get("narrative"))
    return {
        "association": association,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": label,
            "previous_label": previous_label,
        },
        "generated_at": now().isoformat(timespec="seconds"),
        "empty": all(c["empty"] for c in chapters),
        "summary": {
            "groups": summary_groups,
            "total": compare(whole, whole_before, None, previous_label),
        },
        "programmes": chapters,
    }


def table_dict(table: IndicatorTable) -> dict[str, Any]:
    """A table as plain data (by hand: ``dataclasses.asdict`` deep-copies, 5× slower)."""
    return {
        "key": table.key,
        "title": table.title,
        "rows": [
            {"label": r.label, "count": r.count, "percent": r.percent, "key": r.key, "unit": r.unit}
            for r in table.rows
        ],
        "total": table.total,
        "unit": table.unit,
        "chart": table.chart,
        "note": table.note,
        "empty": table.empty,
    }


def localise(report: dict[str, Any], host: PluginHost, language: str) -> dict[str, Any]:
    """The report in ``language`` (``fr``: as built; ``en``: see :mod:`tremplin.reports.i18n`)."""
    if language == "en":
        from tremplin.reports.i18n import translate_report

        labels: dict[tuple[str, str], dict[str, str]] = {}
        for chapter in report["programmes"]:
            if chapter["key"] not in host.programmes:
                continue
            sections = [s for _, s in _sections_for(host, chapter["key"])]
            # The common sections print the programme's own choices (prescribers, exit
            # destinations…): they get the English of all the programme's sections.
            merged = {k: v for s in reversed(sections) for k, v in s.labels_en.items()}
            for section in sections:
                own = dict(section.labels_en) if section.programme != "*" else merged
                if own:
                    labels[(chapter["key"], section.key)] = own
        return translate_report(report, {k: p.name_en for k, p in host.programmes.items()}, labels)
    if language != "fr":
        raise ReportError(f"langue inconnue : « {language} » (fr ou en)")
    return report
