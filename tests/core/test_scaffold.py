"""``tremplin plugin new``: a separate installable package that passes its own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tremplin.cli import main
from tremplin.plugins import API_VERSION
from tremplin.scaffold import ScaffoldError, new_plugin


def test_generated_package_layout(tmp_path):
    target = new_plugin("foyer", tmp_path, title="Foyer de test")
    assert target == tmp_path / "tremplin-foyer"
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert files == {
        "README.md",
        "pyproject.toml",
        "tests/test_plugin.py",
        "tremplin_foyer/__init__.py",
        "tremplin_foyer/workflow.py",
        "tremplin_foyer/tables.py",
        "tremplin_foyer/piccolo_app.py",
        "tremplin_foyer/report.py",
        "tremplin_foyer/migrations/__init__.py",
        "tremplin_foyer/migrations/foyer_0001_initial.py",
        "tremplin_foyer/templates/foyer/_reviews.html",
    }
    project = tomllib.loads((target / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["name"] == "tremplin-foyer"
    assert project["project"]["dependencies"] == ["tremplin"]
    assert "--tremplin-programmes=foyer" in project["tool"]["pytest"]["ini_options"]["addopts"]
    assert project["project"]["entry-points"]["tremplin.plugins"] == {"foyer": "tremplin_foyer"}
    init = (target / "tremplin_foyer" / "__init__.py").read_text("utf-8")
    major = int(API_VERSION.split(".")[0])
    assert f'api=">={API_VERSION},<{major + 1}"' in init
    assert 'name="Foyer de test"' in init
    # The new form (API 1.5): one ProgrammeSpec, none of the per-programme hooks.
    assert "def tremplin_programme_specs()" in init
    from tremplin.registry import LEGACY_HOOKS

    assert [hook for hook in LEGACY_HOOKS if f"def {hook}(" in init] == []
    assert "programme != KEY" not in init
    # The hand-written migration has a Piccolo migration id.
    migration = (target / "tremplin_foyer/migrations/foyer_0001_initial.py").read_text("utf-8")
    assert 'app_name="foyer"' in migration


@pytest.mark.serial  # pip-installs the plugin into the shared environment while it runs
def test_generated_plugin_is_installed_and_passes_its_own_tests_on_both_engines(tmp_path, postgres):
    """The generated tests use only tremplin.testing and tremplin.api; installed like any
    plugin, they pass on SQLite and on PostgreSQL (a server given by URL)."""
    target = new_plugin("foyer", tmp_path)
    tests = (target / "tests" / "test_plugin.py").read_text("utf-8")
    imported = {
        line.split()[1] for line in tests.splitlines() if line.startswith(("from ", "import "))
    }
    assert {m for m in imported if m.startswith("tremplin.")} == {
        "tremplin.api",
        "tremplin.testing",
    }
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    installed = subprocess.run(
        [*pip, "--no-build-isolation", "-e", str(target)], capture_output=True, text=True
    )
    try:
        assert installed.returncode == 0, installed.stdout + installed.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
        env.update(
            TREMPLIN_TEST_ENGINES="sqlite,postgres",
            TREMPLIN_TEST_POSTGRES_URL=postgres.url("postgres"),
        )
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "-y", "tremplin-foyer"],
            capture_output=True,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout, result.stdout
    # The database tests ran once per engine.
    assert "test_the_workflow_from_referral_to_exit[sqlite] PASSED" in result.stdout
    assert "test_the_workflow_from_referral_to_exit[postgres] PASSED" in result.stdout
    assert "test_the_household_page_shows_the_programme_panel[postgres] PASSED" in result.stdout


@pytest.mark.parametrize("name", ["Foyer", "foyer-jeunes", "1foyer", "class", "foyer jeunes", "é"])
def test_invalid_names_are_refused_in_french(tmp_path, name):
    with pytest.raises(ScaffoldError, match="nom de plugin invalide"):
        new_plugin(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "tremplin-foyer").mkdir()
    (tmp_path / "tremplin-foyer" / "keep.txt").write_text("à garder")
    assert main(["plugin", "new", "foyer", "--dir", str(tmp_path)]) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "tremplin-foyer").iterdir()] == ["keep.txt"]


def test_cli_creates_the_package(tmp_path, capsys):
    assert main(["plugin", "new", "foyer", "--dir", str(tmp_path)]) == 0
    assert "Plugin créé" in capsys.readouterr().out
    assert (tmp_path / "tremplin-foyer" / "tremplin_foyer" / "__init__.py").is_file()


@pytest.mark.serial  # pip-installs the example into the shared environment while it runs
def test_the_example_plugin_passes_its_own_tests(tmp_path, postgres):
    """docs/examples/tremplin-hostel (generated by the scaffold, completed by docs/tutorial.md):
    its tests use only tremplin.testing and tremplin.api and pass, installed, on both engines.
    It is installed from a copy, so the repository stays clean."""
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tremplin-hostel"
    imported = {
        line.split()[1]
        for path in (example / "tests").glob("*.py")
        for line in path.read_text("utf-8").splitlines()
        if line.startswith(("from ", "import "))
    }
    assert {m for m in imported if m.split(".")[0] == "tremplin"} <= {
        "tremplin.api",
        "tremplin.testing",
    }, imported
    target = tmp_path / "tremplin-hostel"
    shutil.copytree(
        example, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    )
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    installed = subprocess.run(
        [*pip, "--no-build-isolation", "-e", str(target)], capture_output=True, text=True
    )
    try:
        assert installed.returncode == 0, installed.stdout + installed.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            TREMPLIN_TEST_ENGINES="sqlite,postgres",
            TREMPLIN_TEST_POSTGRES_URL=postgres.url("postgres"),
        )
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "-y", "tremplin-hostel"],
            capture_output=True,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_report_section_on_an_empty_migrated_database[sqlite] PASSED" in result.stdout
    assert "test_report_section_on_an_empty_migrated_database[postgres] PASSED" in result.stdout
