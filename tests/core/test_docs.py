"""The documentation keeps up with the code: every hook and every public API name is
documented, and the generated hook reference matches the hook specifications.

Plain synchronous tests: no database. When one fails after a change to a hook or to
``tremplin.api``, document it, then regenerate the reference with
``.venv/bin/python docs/gen_hooks.py``.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import tremplin.api
from tremplin import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs"
GENERATOR = DOCS / "gen_hooks.py"
HOOKS_MD = DOCS / "hooks.md"
PLUGINS_MD = DOCS / "plugins.md"

_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tremplin_docs_gen_hooks", GENERATOR)
    assert spec is not None and spec.loader is not None, f"cannot load {GENERATOR}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hook_names() -> list[str]:
    return [
        name
        for name, value in vars(hookspecs).items()
        if inspect.isfunction(value) and hasattr(value, "tremplin_spec")
    ]


def _code_in(*paths: Path) -> str:
    """Every inline code span and fenced block of the given Markdown files, joined."""
    return "\n".join(
        match.group(0) for path in paths for match in _CODE.finditer(path.read_text("utf-8"))
    )


def test_hookspecs_are_found():
    # Guards the tests below against passing vacuously.
    assert len(_hook_names()) >= 10


@pytest.mark.parametrize("name", _hook_names())
def test_every_hookspec_says_when_it_is_called(name):
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert doc.strip(), f"hook {name} has no docstring"
    assert re.search(r"\b[Cc]alled\b", doc), (
        f"the docstring of hook {name} must say when it is called (“Called when…”)"
    )


def test_hook_reference_is_up_to_date():
    expected = _generator().render()
    assert HOOKS_MD.exists(), "docs/hooks.md is missing: run .venv/bin/python docs/gen_hooks.py"
    assert HOOKS_MD.read_text("utf-8") == expected, (
        "docs/hooks.md is out of date: run .venv/bin/python docs/gen_hooks.py"
    )


def test_hook_reference_lists_every_hook():
    # The generator itself must not skip a hook (a spec it fails to parse, say).
    rendered = _generator().render()
    for name in _hook_names():
        assert f"### {name}\n" in rendered, f"{name} is missing from the generated reference"


@pytest.mark.parametrize("name", _hook_names())
def test_every_hook_is_named_in_the_docs(name):
    text = PLUGINS_MD.read_text("utf-8") + HOOKS_MD.read_text("utf-8")
    assert re.search(rf"\b{name}\b", text), (
        f"hook {name} appears in neither plugins.md nor hooks.md"
    )


@pytest.mark.parametrize("name", sorted(tremplin.api.__all__))
def test_every_public_api_name_is_documented(name):
    # In code spans only: "now" or "render" in running prose does not document anything.
    code = _code_in(PLUGINS_MD, HOOKS_MD)
    assert re.search(rf"(?<![\w.]){re.escape(name)}\b", code) or re.search(
        rf"\btremplin\.api\.{re.escape(name)}\b", code
    ), f"tremplin.api.{name} is exported but not documented in docs/plugins.md (API reference)"


def test_api_all_names_exist():
    # A name listed in __all__ but not defined would make the API reference lie.
    missing = [name for name in tremplin.api.__all__ if not hasattr(tremplin.api, name)]
    assert not missing, f"tremplin.api.__all__ lists undefined names: {missing}"


def test_every_hook_in_the_reference_shows_a_built_in_example():
    text = (Path(__file__).resolve().parents[2] / "docs" / "hooks.md").read_text(encoding="utf-8")
    sections = text.split("\n### ")[1:]
    # A deprecated hook (API 1.5: the per-programme hooks) has no built-in implementation left.
    assert sections and all(
        "Example, from `" in section or "No built-in example: the built-in plugins" in section
        for section in sections
    )
    deprecated = [s for s in sections if "No built-in example" in s]
    assert all("Deprecated (API 1.5)" in section for section in deprecated)
