"""Plugin discovery, enabling, requirements and fault isolation."""

import types
from dataclasses import replace

import pytest

from tremplin.api import (
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    State,
    Transition,
    Workflow,
    hookimpl,
)
from tremplin.config import ConfigError
from tremplin.plugins import load_plugins


def make_plugin(slug, *, depends_on=(), api=">=1,<2", programme=True, broken_dashboard=False):
    module = types.ModuleType(f"fake_{slug}")

    @hookimpl
    def tremplin_manifest():
        return PluginManifest(
            slug=slug, name=slug.title(), version="9.9", depends_on=depends_on, api=api
        )

    module.tremplin_manifest = tremplin_manifest
    if programme:

        @hookimpl
        def tremplin_programme_specs():
            workflow = Workflow(
                slug,
                (State("a", "A", "referral"), State("b", "B", "closed")),
                "a",
                (Transition("go", "Aller", ("a",), "b"),),
            )
            return [ProgrammeSpec(Programme(slug, f"Programme {slug}", slug), workflow)]

        module.tremplin_programme_specs = tremplin_programme_specs
    if broken_dashboard:

        @hookimpl
        def tremplin_dashboard_items(user):
            raise RuntimeError("boom")

        module.tremplin_dashboard_items = tremplin_dashboard_items
    return slug, module


def test_builtin_programme_is_discovered_through_its_entry_point():
    host = load_plugins(None)
    assert "iml_sublease" in host.installed
    assert host.installed["iml_sublease"].module.__name__ == "tremplin_iml_sublease"
    assert host.programme_keys[0] == "iml_sublease"
    assert "tremplin_iml_sublease.piccolo_app" in host.piccolo_apps


def test_only_enabled_plugins_are_registered():
    host = load_plugins([], extra=[make_plugin("hostel")])
    assert host.programme_keys == []
    assert not host.installed["iml_sublease"].enabled
    assert host.piccolo_apps == ["tremplin.piccolo_app"]
    # The core's own hooks are always there.
    assert "note" in host.event_types
    host = load_plugins(["hostel"], extra=[make_plugin("hostel")])
    assert host.programme_keys == ["hostel"]


def test_unknown_programme_key_is_refused():
    with pytest.raises(ConfigError, match="inconnu : « imlx »"):
        load_plugins(["imlx"])


def test_missing_dependency_is_refused_with_names():
    extra = [make_plugin("youth", depends_on=("housing",)), make_plugin("housing", programme=False)]
    with pytest.raises(ConfigError, match="« youth » nécessite le plugin « housing »"):
        load_plugins(["youth"], extra=extra)
    host = load_plugins(["youth", "housing"], extra=extra)
    assert set(host.enabled_slugs) == {"youth", "housing"}


def test_incompatible_api_range_names_the_plugin():
    with pytest.raises(ConfigError, match="« old » 9.9 demande l'API <1"):
        load_plugins(["old"], extra=[make_plugin("old", api="<1")])


def test_slug_must_match_entry_point_name():
    _, module = make_plugin("alpha")
    with pytest.raises(ConfigError, match="slug doivent être identiques"):
        load_plugins(None, extra=[("beta", module)])


def test_cross_cutting_hooks_are_called_through_pluggy_and_sorted_by_order():
    """``host.call`` is ``pm.hook.<name>()``: every plugin's items, sorted by ``order``; a
    failing implementation is not silently skipped (the dashboard page isolates its blocks
    itself, see test_plugin_isolation)."""
    host = load_plugins(["bad"], extra=[make_plugin("bad", broken_dashboard=True)])
    worker = types.SimpleNamespace(id=1, role="social_worker", active=True, programmes=())
    items = host.call("tremplin_navigation", user=worker)
    assert all(isinstance(i, NavItem) for i in items)
    assert [i.order for i in items] == sorted(i.order for i in items)
    with pytest.raises(RuntimeError, match="boom"):
        host.call("tremplin_dashboard_items", user=worker)


def test_versions_and_dependencies_come_from_the_package_metadata():
    """Each built-in plugin is a distribution: its version is the package's, and its
    ``depends_on`` is what its Requires-Dist names (tremplin-housing → housing)."""
    from importlib.metadata import requires, version

    host = load_plugins(None)
    mandate = host.installed["iml_mandate"].manifest
    assert mandate.version == version("tremplin-iml-mandate")
    assert any(r.startswith("tremplin-housing") for r in requires("tremplin-iml-mandate"))
    assert mandate.depends_on == ("housing",)
    assert host.installed["housing"].manifest.depends_on == ()


def _fake_distribution(tmp_path, name: str, requires: list[str]):
    from importlib.metadata import PathDistribution

    info = tmp_path / f"{name.replace('-', '_')}-3.4.5.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", "Version: 3.4.5"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    return PathDistribution(info)


def test_a_dependency_the_package_does_not_require_is_refused(tmp_path):
    from tremplin.plugins import _with_metadata
    from tremplin.types import PluginManifest

    slugs = {"tremplin-housing": "housing", "tremplin-cllaj": "cllaj"}
    dist = _fake_distribution(
        tmp_path,
        "tremplin-foyer",
        ["tremplin>=0.2", "tremplin-housing", 'tremplin-cllaj; extra == "x"'],
    )
    manifest = PluginManifest(slug="foyer", name="Foyer", version="0", depends_on=())
    completed = _with_metadata(manifest, dist, slugs)
    # The version is the package's; the extra-only requirement does not count.
    assert (completed.version, completed.depends_on) == ("3.4.5", ("housing",))
    with pytest.raises(ConfigError, match="depends_on=\\['cllaj'\\].*Requires-Dist"):
        _with_metadata(replace(manifest, depends_on=("cllaj",)), dist, slugs)
