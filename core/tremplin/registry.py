"""The programme registry: every enabled programme's :class:`~tremplin.types.ProgrammeSpec`,
built once at start-up from ``tremplin_programme_specs``, completed with the core's own
declarations and the cross-cutting hooks, then frozen.

Plugins written for API ≤ 1.5 that still declare a programme through the per-programme
hooks (``tremplin_programmes``, ``tremplin_workflows``, ``tremplin_enrolment_fields``…) keep
working for this API version: their declarations are adapted into specs here, once, and a
:class:`DeprecationWarning` names the plugin and the hooks to move.

This is the one place that walks hook implementations one by one: each declaration is kept
with the plugin that made it, so that a refusal at start-up names that plugin.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tremplin.config import ConfigError
from tremplin.types import EventType, ProgrammeSpec, ReportSection

if TYPE_CHECKING:
    import pluggy

__all__ = ["LEGACY_HOOKS", "Registry", "build_registry", "impls"]

CORE_SLUG = "core"

log = logging.getLogger("tremplin.plugins")

#: The per-programme hooks of API ≤ 1.5, replaced by ``tremplin_programme_specs``: hook →
#: the :class:`ProgrammeSpec` attribute it fills.
LEGACY_HOOKS: dict[str, str] = {
    "tremplin_programmes": "programme",
    "tremplin_workflows": "workflow",
    "tremplin_enrolment_fields": "fields",
    "tremplin_enrolment_checks": "checks",
    "tremplin_shareable_groups": "shareable_groups",
    "tremplin_partner_items": "partner_items",
    "tremplin_enrolment_panels": "panels",
}

#: The spec attributes holding lists of declarations (everything but programme and workflow).
PARTS = tuple(f.name for f in fields(ProgrammeSpec) if f.name not in ("programme", "workflow"))


@dataclass(frozen=True)
class Registry:
    """The frozen result: specs by programme key (sorted by the programme's ``order``), the
    plugin that declared each programme, every declaration with its plugin (for start-up
    checks and report errors), and the timeline event types of every programme."""

    specs: Mapping[str, ProgrammeSpec]
    plugin_of: Mapping[str, str]
    #: programme key → spec attribute → ((plugin, item), …), the core's included.
    declared: Mapping[str, Mapping[str, tuple[tuple[str, Any], ...]]]
    #: Event types of every programme (the core's and the ``tremplin_timeline_event_types``
    #: hook's) then each spec's, by ``order``; the key of a later one wins.
    event_types: Mapping[str, EventType]
    #: programme key → ((plugin, section), …) by order: the spec's and the hook's.
    report_sections: Mapping[str, tuple[tuple[str, ReportSection], ...]]

    def of(self, key: str, part: str) -> tuple[tuple[str, Any], ...]:
        return self.declared.get(key, {}).get(part, ())


def impls(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """(plugin name, item) for every item each implementation returns."""
    for impl in getattr(pm.hook, hook).get_hookimpls():
        args = {k: v for k, v in kwargs.items() if k in impl.argnames}
        value = impl.function(**args)
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is not None:
                yield impl.plugin_name, item


def _refuse(plugin: str, what: str, fix: str) -> ConfigError:
    from tremplin.declarations import DeclarationError

    return DeclarationError(f"le plugin « {plugin} » déclare {what} : {fix}")


def _own(plugin: str, key: str, part: str, item: Any) -> Any:
    """``item`` of the spec of ``key`` with its ``programme`` filled in; another key refused."""
    current = getattr(item, "programme", key)
    if current == key:
        return item
    if current in ("", None):
        return replace(item, programme=key)
    raise _refuse(
        plugin,
        f"dans le ProgrammeSpec « {key} » un élément de {part} « {getattr(item, 'key', '')} » "
        f"pour le programme « {current} »",
        "laissez programme vide ou donnez la clé du programme du spec",
    )


def _common(key: str) -> dict[str, list[Any]]:
    """The core's declarations for every programme (the orientation-date check and the
    four shareable groups everyone has)."""
    from tremplin.default_plugin import common_declarations

    return common_declarations(key)


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Collect, adapt and freeze the programme declarations of the registered plugins.

    Raises :class:`~tremplin.config.ConfigError` for a programme declared twice, a programme
    without a workflow, a workflow for an unknown programme, or an item of a spec that names
    another programme.
    """
    programmes: dict[str, tuple[str, Any]] = {}
    workflows: dict[str, tuple[str, Any]] = {}
    declared: dict[str, dict[str, list[tuple[str, Any]]]] = {}
    legacy: dict[str, set[str]] = {}

    def add_programme(plugin: str, programme: Any) -> None:
        if programme.key in programmes:
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(f"programme « {programme.key} » déclaré deux fois")
        programmes[programme.key] = (plugin, programme)
        declared[programme.key] = {part: [] for part in PARTS}

    specs_found: list[tuple[str, ProgrammeSpec]] = list(impls(pm, "tremplin_programme_specs"))
    for plugin, spec in specs_found:
        add_programme(plugin, spec.programme)
        workflows[spec.key] = (plugin, _own(plugin, spec.key, "workflow", spec.workflow))
    for plugin, programme in impls(pm, "tremplin_programmes"):
        legacy.setdefault(plugin, set()).add("tremplin_programmes")
        add_programme(plugin, programme)
    for plugin, workflow in impls(pm, "tremplin_workflows"):
        legacy.setdefault(plugin, set()).add("tremplin_workflows")
        if workflow.programme not in programmes:
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(f"workflow pour un programme inconnu : {workflow.programme}")
        workflows[workflow.programme] = (plugin, workflow)
    missing = set(programmes) - set(workflows)
    if missing:
        # i18n: developer (a plugin author's mistake)
        raise ConfigError(f"programme sans workflow : {', '.join(sorted(missing))}")

    for key in programmes:
        for part, items in _common(key).items():
            declared[key][part].extend((CORE_SLUG, item) for item in items)
    for plugin, spec in specs_found:
        for part in PARTS:
            for item in getattr(spec, part):
                if part == "event_types" and item.programme is None:
                    item = replace(item, programme=spec.key)
                declared[spec.key][part].append((plugin, _own(plugin, spec.key, part, item)))

    # API ≤ 1.5: the per-programme hooks, asked once per programme and adapted.
    for hook, part in LEGACY_HOOKS.items():
        if part in ("programme", "workflow"):
            continue
        for key in programmes:
            found: Iterator[tuple[str, Any]]
            if hook == "tremplin_enrolment_panels":
                found = ((p, i) for p, i in impls(pm, hook) if i.programme == key)
            else:
                found = impls(pm, hook, programme=key)
            for plugin, item in found:
                legacy.setdefault(plugin, set()).add(hook)
                if getattr(item, "programme", key) == key:
                    declared[key][part].append((plugin, item))

    for plugin, hooks in sorted(legacy.items()):
        message = (
            f"le plugin « {plugin} » déclare ses programmes par {', '.join(sorted(hooks))} "
            "(API ≤ 1.5) : déclarez un ProgrammeSpec par programme avec "
            "tremplin_programme_specs (voir docs/CHANGELOG-API.md, API 1.5) ; ces hooks "
            "disparaîtront à l'API 2"
        )
        # Python hides DeprecationWarning outside __main__ by default: the log says it too.
        log.warning("%s", message)
        warnings.warn(message, DeprecationWarning, stacklevel=2)

    order = sorted(programmes, key=lambda k: (programmes[k][1].order, k))
    specs = {}
    for key in order:
        parts = {
            part: tuple(
                item
                for _, item in sorted(
                    declared[key][part],
                    key=lambda pair: (
                        getattr(pair[1], "order", 100),
                        getattr(pair[1], "key", getattr(pair[1], "name", "")),
                    ),
                )
            )
            for part in PARTS
        }
        specs[key] = ProgrammeSpec(programmes[key][1], workflows[key][1], **parts)

    event_types: list[EventType] = [e for _, e in impls(pm, "tremplin_timeline_event_types")]
    event_types += [e for key in order for e in specs[key].event_types]
    # Cross-cutting report sections (the core's indicators, housing's chapter) are asked
    # once per programme; a section of another programme is left out ("*": every programme).
    sections: dict[str, tuple[tuple[str, ReportSection], ...]] = {}
    for key in order:
        pairs = list(declared[key]["report_sections"])
        pairs += [
            (plugin, s)
            for plugin, s in impls(pm, "tremplin_report_sections", programme=key)
            if s.programme in (key, "*")
        ]
        sections[key] = tuple(sorted(pairs, key=lambda pair: (pair[1].order, pair[1].key)))

    return Registry(
        specs=MappingProxyType(specs),
        plugin_of=MappingProxyType({k: programmes[k][0] for k in order}),
        declared=MappingProxyType(
            {k: MappingProxyType({p: tuple(v) for p, v in declared[k].items()}) for k in order}
        ),
        event_types=MappingProxyType(
            {e.key: e for e in sorted(event_types, key=lambda e: e.order)}
        ),
        report_sections=MappingProxyType(sections),
    )
