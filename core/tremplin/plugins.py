"""Discovery, enabling and fault-isolated calling of plugins.

Plugins come from the ``tremplin.plugins`` entry-point group (the built-in programmes too).
The core's own hook implementations (:mod:`tremplin.default_plugin`) are always registered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import Distribution, entry_points
from types import ModuleType
from typing import Any, cast

import pluggy
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tremplin import hookspecs
from tremplin.config import ConfigError
from tremplin.types import EventType, PluginManifest, Programme, Workflow

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
            raise ConfigError(f"le plugin « {ep.name} » ne peut pas être importé : {exc}") from exc
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
            f"le plugin « {manifest.slug} » déclare depends_on={undeclared!r} sans que sa "
            f"distribution « {dist.metadata['Name']} » ne les requière (Requires-Dist) : "
            "ajoutez-les aux dependencies de son pyproject.toml"
        )
    return replace(manifest, version=dist.version, depends_on=required)


def _manifest(slug: str, module: ModuleType) -> PluginManifest:
    impl = getattr(module, "tremplin_manifest", None)
    if impl is None:
        raise ConfigError(f"le plugin « {slug} » ne déclare pas tremplin_manifest()")
    manifest = impl()
    if manifest.slug != slug:
        raise ConfigError(
            f"le plugin « {slug} » se déclare « {manifest.slug} » : le nom du point d'entrée "
            "et le slug doivent être identiques"
        )
    return manifest


def _check_api(manifest: PluginManifest) -> None:
    try:
        spec = SpecifierSet(manifest.api)
    except InvalidSpecifier:
        raise ConfigError(
            f"le plugin « {manifest.slug} » déclare une version d'API illisible : {manifest.api!r}"
        ) from None
    if Version(API_VERSION) not in spec:
        raise ConfigError(
            f"le plugin « {manifest.slug} » {manifest.version} demande l'API {manifest.api}, "
            f"Tremplin fournit l'API {API_VERSION} : mettez le plugin à jour ou désactivez-le"
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
        self.programmes: dict[str, Programme] = {}
        for programme in sorted(self.call("tremplin_programmes"), key=lambda p: (p.order, p.key)):
            if programme.key in self.programmes:
                raise ConfigError(f"programme « {programme.key} » déclaré deux fois")
            self.programmes[programme.key] = programme
        self.workflows: dict[str, Workflow] = {}
        for workflow in self.call("tremplin_workflows"):
            if workflow.programme not in self.programmes:
                raise ConfigError(f"workflow pour un programme inconnu : {workflow.programme}")
            self.workflows[workflow.programme] = workflow
        missing = set(self.programmes) - set(self.workflows)
        if missing:
            raise ConfigError(f"programme sans workflow : {', '.join(sorted(missing))}")
        self.event_types: dict[str, EventType] = {
            e.key: e
            for e in sorted(self.call("tremplin_timeline_event_types"), key=lambda e: e.order)
        }
        self.piccolo_apps: list[str] = ["tremplin.piccolo_app", *self.call("tremplin_piccolo_apps")]
        #: (plugin slug, scope) of every ``tremplin_object_scopes`` declaration, by order.
        self.object_scopes_by_plugin: list[tuple[str, Any]] = sorted(
            (
                (impl.plugin_name, scope)
                for impl in self.pm.hook.tremplin_object_scopes.get_hookimpls()
                for scope in cast("list[Any]", impl.function() or [])
            ),
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
        """Call a hook on every plugin, flattening lists; a plugin that raises is logged with
        its name and skipped, so one faulty plugin does not take down unrelated pages."""
        results: list[Any] = []
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}
            try:
                value = impl.function(**args)
            except Exception:
                log.exception("plugin %s failed in hook %s", impl.plugin_name, hook)
                if hook in _STARTUP_HOOKS:
                    raise
                continue
            if value is None:
                continue
            if isinstance(value, list | tuple):
                results.extend(value)
            else:
                results.append(value)
        return results

    def fields(self, programme: str) -> list[Any]:
        return sorted(
            self.call("tremplin_enrolment_fields", programme=programme),
            key=lambda f: (f.order, f.name),
        )

    def event_types_for(self, programme: str | None) -> list[EventType]:
        return [
            e for e in self.event_types.values() if e.programme is None or e.programme == programme
        ]


_STARTUP_HOOKS = {
    "tremplin_programmes",
    "tremplin_workflows",
    "tremplin_timeline_event_types",
    "tremplin_piccolo_apps",
    "tremplin_routes",
    "tremplin_template_dirs",
    "tremplin_object_scopes",
}


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
        programmes = list(getattr(module, "tremplin_programmes", lambda: [])() or [])
        installed.append(InstalledPlugin(slug, module, manifest, programmes=programmes))
    by_slug = {p.slug: p for p in installed}
    by_programme = {prog.key: p for p in installed for prog in p.programmes}
    wanted = list(by_slug) if enabled is None else list(enabled)
    for key in wanted:
        plugin = by_slug.get(key) or by_programme.get(key)
        if plugin is None:
            known = ", ".join(sorted(set(by_slug) | set(by_programme))) or "aucun"
            raise ConfigError(f"programme ou plugin inconnu : « {key} » (installés : {known})")
        plugin.enabled = True
    for plugin in installed:
        if not plugin.enabled:
            continue
        _check_api(plugin.manifest)
        for dep in plugin.manifest.depends_on:
            if dep not in by_slug or not by_slug[dep].enabled:
                raise ConfigError(
                    f"le plugin « {plugin.slug} » nécessite le plugin « {dep} », "
                    "qui n'est pas activé"
                )
    return PluginHost(installed)
