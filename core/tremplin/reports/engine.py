"""Assemble a report: for each programme, the sections the enabled plugins contribute."""

from __future__ import annotations

import dataclasses
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
    """(plugin name, section) pairs for a programme, sorted by ``order``."""
    out = []
    for impl in host.pm.hook.tremplin_report_sections.get_hookimpls():
        try:
            sections = (
                impl.function(programme=programme)
                if "programme" in impl.argnames
                else impl.function()
            )
        except Exception:
            log.exception("plugin %s failed in tremplin_report_sections", impl.plugin_name)
            continue
        out.extend((impl.plugin_name, s) for s in sections or [] if s.programme in (programme, "*"))
    return sorted(out, key=lambda pair: (pair[1].order, pair[1].key))


async def build_report(
    host: PluginHost, programmes: list[str] | str, period: Period, association: str
) -> dict[str, Any]:
    """The report as plain data (JSON-ready): programmes → sections → indicator tables.

    ``programmes`` is a list of keys or ``"all"`` (every enabled programme).
    """
    keys = host.programme_keys if programmes == "all" else list(programmes)
    for key in keys:
        if key not in host.programmes:
            raise ReportError(f"programme inconnu ou désactivé : « {key} »")
    chapters = []
    for key in keys:
        programme = host.programmes[key]
        ctx = ReportContext(
            key,
            programme.name_fr,
            period,
            programme.places,
            programme.max_duration_months,
            programme.prescribers,
            programme.exit_destinations,
            {
                k: e.label
                for k, e in host.event_types.items()
                if e.contact and e.programme in (None, key)
            },
        )
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
                    "tables": [table_dict(t) for t in tables],
                    "activity": section.activity,
                }
            )
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
        chapters.append(
            {
                "key": key,
                "name": programme.name_fr,
                "places": programme.places,
                "empty": empty,
                "sections": sections,
            }
        )
    if period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    ):
        from tremplin.reports.narratives import attach, load_narratives

        attach(
            {"programmes": chapters},
            {key: await load_narratives(key, period.start.year) for key in keys},
        )
    return {
        "association": association,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
        },
        "generated_at": now().isoformat(timespec="seconds"),
        "programmes": chapters,
    }


def table_dict(table: IndicatorTable) -> dict[str, Any]:
    data = dataclasses.asdict(table)
    data["rows"] = [dataclasses.asdict(r) for r in table.rows]
    return data


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
