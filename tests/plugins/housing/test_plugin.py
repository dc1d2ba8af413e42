"""The housing plugin as a plugin: one slug everywhere, only the public core API imported,
programmes that depend on it refused without it."""

import ast
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import tremplin_housing as housing
from tremplin.config import ConfigError
from tremplin.plugins import load_plugins
from tremplin_housing.piccolo_app import APP_CONFIG
from tremplin_housing.routes import ROUTES

PACKAGE = Path(housing.__file__).parent


def test_one_slug_everywhere():
    slug = housing.tremplin_manifest().slug
    assert slug == PACKAGE.parent.name == "housing"
    assert PACKAGE.name == "tremplin_housing"
    assert {ep.name: ep.value for ep in entry_points(group="tremplin.plugins")}[slug] == (
        "tremplin_housing"
    )
    assert APP_CONFIG.app_name == slug
    assert all(t._meta.tablename.startswith(f"{slug}_") for t in APP_CONFIG.table_classes)
    assert (PACKAGE / "templates" / slug).is_dir()
    for handler in ROUTES:
        assert all(path.startswith(f"/{slug}/") for path in handler.paths), handler.paths
    # A capability, not a programme: it declares no ProgrammeSpec.
    assert not hasattr(housing, "tremplin_programme_specs")
    assert not hasattr(housing, "tremplin_programmes")


def test_the_plugin_imports_only_the_public_core_api():
    offending = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("tremplin") and not (
                    name == "tremplin.api" or name.startswith("tremplin_housing")
                ):
                    offending.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offending == []


def test_a_programme_needing_housing_is_refused_without_it():
    with pytest.raises(ConfigError, match="« iml_sublease » nécessite le plugin « housing »"):
        load_plugins(["iml_sublease"])
    host = load_plugins(["iml_sublease", "housing"])
    assert set(host.enabled_slugs) == {"iml_sublease", "housing"}
    assert "tremplin_housing.piccolo_app" in host.piccolo_apps
    assert load_plugins(["housing"]).programme_keys == []
