"""Discovery, enabling and fault-isolated calling of plugins.

Plugins come from the ``tremplin.plugins`` entry-point group (the built-in programmes too).
The core's own hook implementations (:mod:`tremplin.default_plugin`) are always registered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib.metadata import Distribution, entry_points
from types import ModuleType
from typing import Any

import pluggy
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tremplin import hookspecs
from tremplin.config import ConfigError
from tremplin.i18n import gettext
from tremplin.types import (
    EnrolmentCheck,
    EnrolmentPanel,
    EventType,
    Field,
    PartnerItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    ShareableGroup,
    Workflow,
)

__all__ = ["API_VERSION", "InstalledPlugin", "PluginHost", "load_plugins"]

API_VERSION = "1.5"
ENTRY_POINT_GROUP = "tremplin.plugins"
CORE_SLUG = "core"

log = logging.getLogger("tremplin.plugins")


@dataclass
class InstalledPlugin:
    slug: str
    module: ModuleType
    manifest: PluginManifest
    enabled: bool = False
    programmes: list[Programme] = field(default_factory=list)


def discover(extra: Iterable[tuple[str, ModuleType]] = ()) -> list[tuple[str, ModuleType]]:
    """Import every plugin module named in the entry-point group."""
    found: dict[str, ModuleType] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # say which plugin, rather than a bare traceback
            raise ConfigError(
                gettext("le plugin « {slug} » ne peut pas être importé : {error}").format(
                    slug=ep.name, error=exc
                )
            ) from exc
    for name, module in extra:
        found[name] = module
    return sorted(found.items())


def _distributions() -> dict[str, Distribution]:
    """The distribution that installed each plugin, by slug (entry-point name)."""
    found: dict[str, Distribution] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is not None:
            found[ep.name] = ep.dist
    return found


def _required_plugins(dist: Distribution, slug_of_dist: dict[str, str]) -> tuple[str, ...]:
    """The plugins a distribution requires (its ``Requires-Dist`` naming another plugin's
    distribution), in the order written; extras and markers that do not apply are ignored."""
    slugs: list[str] = []
    for line in dist.requires or []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        slug = slug_of_dist.get(canonicalize_name(req.name))
        if slug and slug not in slugs:
            slugs.append(slug)
    return tuple(slugs)


def _with_metadata(
    manifest: PluginManifest, dist: Distribution | None, slug_of_dist: dict[str, str]
) -> PluginManifest:
    """The manifest completed from the package metadata: the version is the distribution's,
    and ``depends_on`` is what its ``Requires-Dist`` says. A dependency the manifest declares
    that the package does not require is refused: pip would not have installed it."""
    if dist is None:  # a module registered by hand (tests): the manifest is all there is
        return manifest
    required = _required_plugins(dist, slug_of_dist)
    undeclared = [dep for dep in manifest.depends_on if dep not in required]
    if undeclared:
        raise ConfigError(
            gettext(
                "le plugin « {slug} » déclare depends_on={undeclared!r} sans que sa "
                "distribution « {distribution} » ne les requière (Requires-Dist) : "
                "ajoutez-les aux dependencies de son pyproject.toml"
            ).format(slug=manifest.slug, undeclared=undeclared, distribution=dist.metadata["Name"])
        )
    return replace(manifest, version=dist.version, depends_on=required)


def _manifest(slug: str, module: ModuleType) -> PluginManifest:
    impl = getattr(module, "tremplin_manifest", None)
    if impl is None:
        raise ConfigError(
            gettext("le plugin « {slug} » ne déclare pas tremplin_manifest()").format(slug=slug)
        )
    manifest = impl()
    if manifest.slug != slug:
        raise ConfigError(
            gettext(
                "le plugin « {slug} » se déclare « {declared} » : le nom du point "
                "d'entrée et le slug doivent être identiques"
            ).format(slug=slug, declared=manifest.slug)
        )
    return manifest


def _check_api(manifest: PluginManifest) -> None:
    try:
        spec = SpecifierSet(manifest.api)
    except InvalidSpecifier:
        raise ConfigError(
            gettext("le plugin « {slug} » déclare une version d'API illisible : {api!r}").format(
                slug=manifest.slug, api=manifest.api
            )
        ) from None
    if Version(API_VERSION) not in spec:
        raise ConfigError(
            gettext(
                "le plugin « {slug} » {version} demande l'API {api}, Tremplin fournit "
                "l'API {provided} : mettez le plugin à jour ou désactivez-le"
            ).format(
                slug=manifest.slug, version=manifest.version, api=manifest.api, provided=API_VERSION
            )
        )


class PluginHost:
    """The enabled plugins and everything they declared, computed once at start-up."""

    def __init__(self, installed: list[InstalledPlugin]) -> None:
        from tremplin import default_plugin

        self.installed = {p.slug: p for p in installed}
        self.pm = pluggy.PluginManager("tremplin")
        self.pm.add_hookspecs(hookspecs)
        self.pm.register(default_plugin, name=CORE_SLUG)
        for plugin in installed:
            if plugin.enabled:
                self.pm.register(plugin.module, name=plugin.slug)
        self.pm.check_pending()
        from tremplin.registry import build_registry

        #: The frozen programme declarations (see :mod:`tremplin.registry`).
        self.registry = build_registry(self.pm)
        self.specs: Mapping[str, ProgrammeSpec] = self.registry.specs
        self.programmes: dict[str, Programme] = {k: s.programme for k, s in self.specs.items()}
        self.workflows: dict[str, Workflow] = {k: s.workflow for k, s in self.specs.items()}
        self.event_types: Mapping[str, EventType] = self.registry.event_types
        self.piccolo_apps: list[str] = ["tremplin.piccolo_app", *self.call("tremplin_piccolo_apps")]
        #: (plugin slug, scope) of every ``tremplin_object_scopes`` declaration, by order.
        self.object_scopes_by_plugin: list[tuple[str, Any]] = sorted(
            _impls(self.pm, "tremplin_object_scopes"),
            key=lambda pair: (pair[1].order, pair[1].path, pair[1].param),
        )
        self.object_scopes = [scope for _, scope in self.object_scopes_by_plugin]
        from tremplin.declarations import validate_declarations

        validate_declarations(self)

        from tremplin.services.deadlines import remember_workflows

        remember_workflows(self.workflows)

    @property
    def enabled_slugs(self) -> list[str]:
        return [slug for slug, p in self.installed.items() if p.enabled]

    @property
    def programme_keys(self) -> list[str]:
        return list(self.programmes)

    def call(self, hook: str, **kwargs: Any) -> list[Any]:
        """Call a cross-cutting hook through pluggy and flatten the lists it returns, in the
        order the plugins were registered (the core first), then by ``order`` where the
        items have one. Per-programme declarations are not hooks any more: read
        :attr:`specs` (or :meth:`fields`, :meth:`checks`…)."""
        results: list[Any] = []
        for value in reversed(getattr(self.pm.hook, hook)(**kwargs)):
            results.extend(value if isinstance(value, list | tuple) else [value])
        if results and all(hasattr(item, "order") for item in results):
            results.sort(key=lambda item: item.order)
        return results

    def fields(self, programme: str) -> list[Field]:
        """The programme's own enrolment fields (the core's three come first in forms)."""
        return list(self.specs[programme].fields)

    def checks(self, programme: str) -> list[EnrolmentCheck]:
        """The core's and the programme's cross-field checks, by order."""
        return list(self.specs[programme].checks)

    def shareable_groups(self, programme: str) -> list[ShareableGroup]:
        return list(self.specs[programme].shareable_groups)

    def partner_items(self, programme: str) -> list[PartnerItem]:
        return list(self.specs[programme].partner_items)

    def enrolment_panels(self, programme: str) -> list[EnrolmentPanel]:
        return list(self.specs[programme].panels)

    def report_sections(self, programme: str) -> list[tuple[str, ReportSection]]:
        """(plugin, section) of the programme's report, by order: its spec's and those the
        cross-cutting ``tremplin_report_sections`` hook adds (core indicators, housing)."""
        return list(self.registry.report_sections.get(programme, ()))

    def event_types_for(self, programme: str | None) -> list[EventType]:
        return [
            e for e in self.event_types.values() if e.programme is None or e.programme == programme
        ]


def _impls(pm: pluggy.PluginManager, hook: str) -> list[tuple[str, Any]]:
    """(plugin name, item) of a start-up declaration hook, for messages naming the plugin."""
    from tremplin.registry import impls

    return list(impls(pm, hook))


def load_plugins(
    enabled: Iterable[str] | None, extra: Iterable[tuple[str, ModuleType]] = ()
) -> PluginHost:
    """Discover installed plugins, enable the requested ones and check their requirements.

    ``enabled`` holds plugin slugs or programme keys; ``None`` enables every installed
    plugin. Raises :class:`ConfigError` for an unknown key, a missing dependency or an
    incompatible API range.
    """
    installed: list[InstalledPlugin] = []
    dists = _distributions()
    slug_of_dist: dict[str, str] = {
        str(canonicalize_name(d.metadata["Name"])): slug for slug, d in dists.items()
    }
    extra_slugs = {name for name, _ in extra}
    for slug, module in discover(extra):
        dist = None if slug in extra_slugs else dists.get(slug)
        manifest = _with_metadata(_manifest(slug, module), dist, slug_of_dist)
        programmes = [s.programme for s in getattr(module, "tremplin_programme_specs", list)()]
        programmes += list(getattr(module, "tremplin_programmes", list)() or [])
        installed.append(InstalledPlugin(slug, module, manifest, programmes=programmes))
    by_slug = {p.slug: p for p in installed}
    by_programme = {prog.key: p for p in installed for prog in p.programmes}
    wanted = list(by_slug) if enabled is None else list(enabled)
    for key in wanted:
        plugin = by_slug.get(key) or by_programme.get(key)
        if plugin is None:
            known = ", ".join(sorted(set(by_slug) | set(by_programme))) or "aucun"
            raise ConfigError(
                gettext("programme ou plugin inconnu : « {key} » (installés : {known})").format(
                    key=key, known=known
                )
            )
        plugin.enabled = True
    for plugin in installed:
        if not plugin.enabled:
            continue
        _check_api(plugin.manifest)
        for dep in plugin.manifest.depends_on:
            if dep not in by_slug or not by_slug[dep].enabled:
                raise ConfigError(
                    gettext(
                        "le plugin « {slug} » nécessite le plugin « {dep} », qui n'est pas activé"
                    ).format(slug=plugin.slug, dep=dep)
                )
    return PluginHost(installed)
