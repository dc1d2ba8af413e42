"""Assemble a report: for each programme, the sections the enabled plugins contribute."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from tremplin import i18n
from tremplin.i18n import gettext
from tremplin.plugins import PluginHost
from tremplin.services.clock import now
from tremplin.types import IndicatorTable, Period, ReportContext

__all__ = ["ReportError", "build_report"]

log = logging.getLogger("tremplin.reports")


class ReportError(ValueError):
    """A report that cannot be made (unknown or disabled programme…); French message."""


def _collect(host: PluginHost, programme: str) -> list[tuple[str, Any]]:
    """(plugin name, section) pairs of a programme, every scope (collected once at start-up:
    the programme's spec and the cross-cutting ``tremplin_report_sections``)."""
    return list(host.report_sections(programme))


def _sections_for(host: PluginHost, programme: str) -> list[tuple[str, Any]]:
    """(plugin name, section) pairs for a programme's chapter, sorted by ``order``."""
    out = [
        pair
        for pair in _collect(host, programme)
        if getattr(pair[1], "scope", "programme") != "association"
    ]
    return sorted(out, key=lambda pair: (pair[1].order, pair[1].key))


def association_sections(host: PluginHost, programmes: list[str]) -> list[tuple[str, Any]]:
    """The sections of ``scope="association"`` (one per key), sorted by ``order``."""
    found: dict[str, tuple[str, Any]] = {}
    for key in programmes:
        for plugin, section in _collect(host, key):
            if getattr(section, "scope", "programme") == "association":
                found.setdefault(section.key, (plugin, section))
    return sorted(found.values(), key=lambda pair: (pair[1].order, pair[1].key))


def check_groups(groups: tuple[tuple[str, tuple[str, ...]], ...], host: PluginHost) -> None:
    """Refuse (at start-up) a report group that names a programme not enabled here."""
    from tremplin.config import ConfigError

    seen: dict[str, str] = {}
    for name, keys in groups:
        for key in keys:
            if key not in host.programmes:
                raise ConfigError(
                    gettext(
                        "report_groups : le groupe « {name} » nomme le programme « {key} », "
                        "inconnu ou désactivé"
                    ).format(name=name, key=key)
                )
            if key in seen:
                raise ConfigError(
                    gettext(
                        "report_groups : le programme « {key} » est dans deux groupes (« "
                        "{other} » et « {name} »)"
                    ).format(key=key, other=seen[key], name=name)
                )
            seen[key] = name


def _context(host: PluginHost, key: str, period: Period, places: int | None) -> ReportContext:
    programme = host.programmes[key]
    return ReportContext(
        key,
        programme_name(programme),
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
    language: str = i18n.SOURCE_LANGUAGE,
) -> dict[str, Any]:
    """The report as plain data (JSON-ready): a summary of the association, then
    programmes → key figures (with the previous year) → sections → indicator tables.

    ``language`` (``fr`` or ``en``): the report is built in that language — every label is
    translated through its plugin's catalogue (then the core's) as the sections produce
    it, before any figure is formatted.

    ``programmes`` is a list of keys or ``"all"`` (every enabled programme). ``groups``
    (the configuration's ``report_groups``) puts programmes together in the summary and
    gives each group its own key figures; members of a group follow each other.
    """
    if language not in i18n.LANGUAGES:
        raise ReportError(
            gettext("langue inconnue : « {language} » (fr ou en)").format(language=language)
        )
    with i18n.use_language(language):
        report = await _build_report(host, programmes, period, association, groups)
    report["lang"] = language
    report["words"] = report_words(language)
    return report


#: The words of the report's frame (headings, column titles), translated for the template.
REPORT_WORDS = {
    "report": i18n.N_("Rapport d’activité"),
    "contents": i18n.N_("Sommaire"),
    "label": i18n.N_("Libellé"),
    "count": i18n.N_("Nombre"),
    "total": i18n.N_("Total"),
    "nodata": i18n.N_("Aucune donnée pour cette période."),
    "empty": i18n.N_("Aucune donnée."),
    "key": i18n.N_("Chiffres clés"),
    "summary": i18n.N_("Synthèse de l’association"),
    "indicator": i18n.N_("Indicateur"),
    "change": i18n.N_("Évolution"),
    "programme": i18n.N_("Programme"),
    "households": i18n.N_("Ménages"),
    "people": i18n.N_("Personnes"),
    "entries": i18n.N_("Entrées"),
    "exits": i18n.N_("Sorties"),
    "places": i18n.N_("Places"),
    "to-housing": i18n.N_("Sorties vers le logement"),
    "whole": i18n.N_("Toute l’association"),
    "appendix": i18n.N_("Annexe : règles de calcul"),
    "months": i18n.N_("mois"),
    "versus": i18n.N_("contre"),
    "nodata-report": i18n.N_(
        "Aucun ménage n’a été accompagné sur cette période : ce rapport n’a pas de chiffres "
        "à présenter."
    ),
    "idle": i18n.N_("Programmes sans activité"),
}


def report_words(language: str | None = None) -> dict[str, str]:
    """:data:`REPORT_WORDS` in ``language`` (the current one by default)."""
    with i18n.use_language(language or i18n.get_language()):
        return {k: i18n.gettext(v) for k, v in REPORT_WORDS.items()}


def programme_name(programme: Any) -> str:
    """A programme's name in the current language (its declared English name, else its
    catalogue's translation of the French)."""
    name_en = str(getattr(programme, "name_en", None) or "")
    if i18n.get_language() == "en" and name_en:
        return name_en
    return i18n.gettext(programme.name_fr)


async def _build_report(
    host: PluginHost,
    programmes: list[str] | str,
    period: Period,
    association: str,
    groups: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> dict[str, Any]:
    from tremplin.reports.capacity import capacities
    from tremplin.reports.indicators import PRELOADED, preload
    from tremplin.reports.keyfigures import previous_period

    keys = host.programme_keys if programmes == "all" else list(programmes)
    for key in keys:
        if key not in host.programmes:
            raise ReportError(gettext("programme inconnu ou désactivé : « {key} »").format(key=key))
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
    years = sorted({period.start.year, before.start.year})
    places = await capacities(keys, years)
    # The rows of the common indicators and key figures, for every programme and both
    # years, in a few queries (the sections read them instead of querying each programme).
    preloaded = await preload(keys, before.start, period.end)
    token = PRELOADED.set(preloaded)
    try:
        return await _build(
            host,
            keys,
            programmes,
            period,
            before,
            association,
            groups,
            group_of,
            places,
            preloaded.stays(),
        )
    finally:
        PRELOADED.reset(token)


async def _build(
    host: PluginHost,
    keys: list[str],
    programmes: list[str] | str,
    period: Period,
    before: Period,
    association: str,
    groups: tuple[tuple[str, tuple[str, ...]], ...],
    group_of: dict[str, str],
    places: dict[tuple[str, int], Any],
    stays: dict[str, Any],
) -> dict[str, Any]:
    from tremplin.reports.charts import compare_chart
    from tremplin.reports.keyfigures import compare, key_figures
    from tremplin.reports.markdown import parse

    label, previous_label = period.label, before.label
    prev_ctx_places = {k: places.get((k, before.start.year)) for k in keys}
    chapters = []
    for key in keys:
        programme = host.programmes[key]
        capacity = places.get((key, period.start.year))
        ctx = _context(host, key, period, capacity.places if capacity else None)
        old = prev_ctx_places[key]
        ctx_before = _context(host, key, before, old.places if old else None)
        sections = await _compute_sections(_sections_for(host, key), ctx, ctx_before, label)
        figures_before = key_figures(stays, [key], before, prev_ctx_places[key])
        _with_previous(sections, bool(figures_before["households"]), previous_label)
        _dedupe(sections)
        _finish(sections)
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
            figures_before,
            capacity,
            previous_label,
        )
        chapters.append(
            {
                "key": key,
                "narrative_key": key,
                "name": programme_name(programme),
                "kind": "programme",
                "group": group_of.get(key),
                "parent": None,
                "places": capacity.places if capacity else None,
                "empty": empty,
                "key_figures": figures,
                "compare_chart": None if empty else compare_chart(figures, label, previous_label),
                "sections": sections,
            }
        )
    chapters = _group_chapters(chapters, groups, keys, stays, places, period, before)
    # The whole-association chapters (the housing stock…) only in the report of every
    # programme: a report of some programmes shows only their own figures.
    if programmes == "all" or set(host.programme_keys) <= set(keys):
        chapters.extend(await _association_chapters(host, keys, association, period, before, label))
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
        group_figures = key_figures(stays, list(members), period, cap_now)
        previous = key_figures(stays, list(members), before, total(before.start.year))
        summary_groups.append(
            {
                "name": name
                if name in group_of.values()
                else programme_name(host.programmes[name]),
                "programmes": list(members),
                "is_group": name in group_of.values(),
                "figures": group_figures,
                "previous": previous,
                "key_figures": compare(group_figures, previous, None, previous_label),
            }
        )
    whole = key_figures(stays, keys, period, None)
    whole_before = key_figures(stays, keys, before, None)
    if period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    ):
        from tremplin.reports.narratives import attach, load_all_narratives

        owners = list(dict.fromkeys(c["narrative_key"] for c in chapters))
        attach({"programmes": chapters}, await load_all_narratives(owners, period.start.year))
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


async def _compute_sections(
    pairs: list[tuple[str, Any]],
    ctx: ReportContext,
    ctx_before: ReportContext,
    label: str,
) -> list[dict[str, Any]]:
    """Each section's tables for the period and, where it asks, for the year before
    (kept aside in ``_previous`` until :func:`_with_previous` places them)."""
    from tremplin.reports.units import shape_table

    sections = []
    for plugin, section in pairs:
        previous = None
        _ = section_domain(section).gettext
        try:
            tables = list(await section.compute(ctx))
            if getattr(section, "previous_year", True):
                previous = [table_dict(t, _) for t in await section.compute(ctx_before)]
            error = None
        except Exception:
            log.exception("plugin %s failed computing report section %s", plugin, section.key)
            tables = []
            error = i18n.gettext("section indisponible (erreur du plugin {plugin})").format(
                plugin=plugin
            )
        sections.append(
            {
                "key": section.key,
                "title": _(section.title),
                "error": error,
                "tables": [shape_table(table_dict(t, _), label) for t in tables],
                "activity": section.activity,
                "_previous": previous,
            }
        )
    return sections


def _with_previous(sections: list[dict[str, Any]], year_before: bool, previous_label: str) -> None:
    """N-1 beside every table of the sections that computed it, when the chapter has
    figures for the year before (``year_before``, or a figure in last year's tables)."""
    from tremplin.reports.previous import attach_previous, has_figures

    year_before = year_before or any(
        has_figures(s["_previous"]) for s in sections if s["_previous"]
    )
    for section in sections:
        previous = section.pop("_previous")
        if previous is None or not year_before:
            continue
        by_key = {t["key"]: t for t in previous}
        for table in section["tables"]:
            attach_previous(table, by_key.get(table["key"]), previous_label)


def _finish(sections: list[dict[str, Any]]) -> None:
    """Flag the overview rows the key figures print, and describe each table's chart."""
    from tremplin.reports.charts import chart_for_table

    for section in sections:
        for table in section["tables"]:
            if table["key"] == "overview":
                for row in table["rows"]:
                    row["in_key_figures"] = row["key"] in KEY_FIGURE_ROWS
            table["chart_spec"] = chart_for_table(table)


def _group_chapters(
    chapters: list[dict[str, Any]],
    groups: tuple[tuple[str, tuple[str, ...]], ...],
    keys: list[str],
    stays: dict[str, Any],
    places: dict[tuple[str, int], Any],
    period: Period,
    before: Period,
) -> list[dict[str, Any]]:
    """A chapter for each group before its members (which become its sub-parts): the
    group's key figures and the member tables added up (see :func:`previous.combine`)."""
    from tremplin.reports.charts import compare_chart
    from tremplin.reports.keyfigures import compare, key_figures
    from tremplin.reports.narratives import group_key as narrative_group_key
    from tremplin.reports.previous import combine
    from tremplin.reports.units import shape_table

    by_key = {c["key"]: c for c in chapters}
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    for chapter in chapters:
        if chapter["key"] in done:
            continue
        name = chapter["group"]
        members = (
            [by_key[k] for g, ks in groups if g == name for k in ks if k in by_key] if name else []
        )
        if len(members) < 2:
            out.append(chapter)
            done.add(chapter["key"])
            continue
        member_keys = [m["key"] for m in members]

        def total(year: int, member_keys: list[str] = member_keys) -> Any:
            known = [c for c in (places.get((k, year)) for k in member_keys) if c]
            return type(known[0])(sum(c.places for c in known)) if known else None

        cap_now, cap_before = total(period.start.year), total(before.start.year)
        figures = compare(
            key_figures(stays, member_keys, period, cap_now),
            key_figures(stays, member_keys, before, cap_before),
            cap_now,
            before.label,
        )
        sections = []
        merged: set[tuple[str, str]] = set()
        for section in members[0]["sections"]:
            others = [
                next((s for s in m["sections"] if s["key"] == section["key"]), None)
                for m in members[1:]
            ]
            if any(o is None for o in others) or section["error"]:
                continue
            tables = []
            for table in section["tables"]:
                same = [
                    next((t for t in o["tables"] if t["key"] == table["key"]), None)
                    for o in others
                    if o is not None  # others holds no None here (skipped above)
                ]
                if any(t is None for t in same):
                    continue
                # same holds no None here (skipped above)
                combined = combine([table, *same])  # type: ignore[list-item]
                if combined is not None:
                    tables.append(shape_table(combined, period.label))
                    merged.add((section["key"], table["key"]))
            if tables:
                sections.append(
                    {
                        "key": section["key"],
                        "title": section["title"],
                        "error": None,
                        "tables": tables,
                        "activity": section["activity"],
                    }
                )
        _finish(sections)
        empty = all(m["empty"] for m in members)
        group_key = "groupe-" + "-".join(member_keys)
        out.append(
            {
                "key": group_key,
                # The group's texts are kept under its configured members, whichever of
                # them this report shows.
                "narrative_key": narrative_group_key(next(ks for g, ks in groups if g == name)),
                "name": name,
                "kind": "group",
                "group": name,
                "parent": None,
                "members": member_keys,
                "places": cap_now.places if cap_now else None,
                "empty": empty,
                "key_figures": figures,
                "compare_chart": None
                if empty
                else compare_chart(figures, period.label, before.label),
                "sections": sections,
            }
        )
        for member in members:
            member["parent"] = group_key
            # A table the group's chapter adds up is printed there, not again in each
            # member (as the seeds do); a member keeps its own tables and its averages.
            for section in member["sections"]:
                section["tables"] = [
                    t
                    for t in section["tables"]
                    if (section["key"], t["key"]) not in merged or t["key"] == "overview"
                ]
            out.append(member)
            done.add(member["key"])
    return out


async def _association_chapters(
    host: PluginHost,
    keys: list[str],
    association: str,
    period: Period,
    before: Period,
    label: str,
) -> list[dict[str, Any]]:
    """One chapter per section of ``scope="association"`` that has something to show."""
    from tremplin.reports.narratives import ASSOCIATION

    out = []
    for plugin, section in association_sections(host, keys):
        ctx = ReportContext("", association, period)
        ctx_before = ReportContext("", association, before)
        sections = await _compute_sections([(plugin, section)], ctx, ctx_before, label)
        _with_previous(sections, False, before.label)
        _finish(sections)
        if all(t["is_empty"] for s in sections for t in s["tables"]) and not any(
            s["error"] for s in sections
        ):
            continue
        out.append(
            {
                "key": section.key,
                "narrative_key": ASSOCIATION,
                "name": section_domain(section).gettext(section.title),
                "kind": "association",
                "group": None,
                "parent": None,
                "places": None,
                "empty": False,
                "key_figures": [],
                "compare_chart": None,
                "sections": sections,
            }
        )
    return out


def section_domain(section: Any) -> i18n.Domain:
    """The catalogue a section's labels are looked up in: the package its ``compute``
    comes from (a plugin's, or the core's ``tremplin``); the core's and the other
    plugins' follow (a common table prints the programme's own choices)."""
    module = getattr(section.compute, "__module__", None) or i18n.CORE_DOMAIN
    return i18n.domain(module)


def _same(text: str) -> str:
    return text


def table_dict(table: IndicatorTable, translate: Any = _same) -> dict[str, Any]:
    """A table as plain data (by hand: ``dataclasses.asdict`` deep-copies, 5× slower), its
    labels passed through ``translate`` (the section's catalogue in the report's
    language: translated before anything is formatted)."""
    return {
        "key": table.key,
        "title": translate(table.title),
        "rows": [
            {
                "label": translate(r.label),
                "count": r.count,
                "percent": r.percent,
                "key": r.key,
                "unit": r.unit,
            }
            for r in table.rows
        ],
        "total": table.total,
        "unit": table.unit,
        "chart": table.chart,
        "note": translate(table.note),
        "empty": translate(table.empty),
    }
