"""Generate ``docs/hooks.md``, the hook reference, from the hook specifications.

The reference is never written by hand: every entry comes from :mod:`tremplin.hookspecs`
(name, signature, ``firstresult``, docstring) and from the built-in plugins that implement
the hook (:mod:`tremplin.default_plugin` and the built-in plugins' packages ``tremplin_<slug>``).

Run it after changing a hook specification or adding a hook implementation::

    .venv/bin/python docs/gen_hooks.py

``tests/core/test_docs.py`` imports :func:`render` and fails when ``docs/hooks.md`` differs
from its output.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

OUTPUT = Path(__file__).with_name("hooks.md")
PROJECT = "tremplin"
_GROUP = re.compile(r"^# -{2,}\s*(?P<title>.+?)\s*-+\s*$")
_DEF = re.compile(r"^def (?P<name>\w+)\(")
_ROLE = re.compile(r":[a-z]+:`~?(?P<target>[^`]+)`")


def hookspecs() -> list[tuple[str, str, Callable[..., Any]]]:
    """(group title, name, function) of every hook specification, in source order.

    The group is the ``# --- Title ---`` comment above the specification in the module.
    """
    module = importlib.import_module(f"{PROJECT}.hookspecs")
    group = ""
    found = []
    for line in inspect.getsource(module).splitlines():
        heading = _GROUP.match(line)
        if heading:
            group = heading["title"]
            continue
        definition = _DEF.match(line)
        if definition:
            function = getattr(module, definition["name"])
            if _spec_options(function) is not None:
                found.append((group, definition["name"], function))
    return found


def _spec_options(function: Callable[..., Any]) -> dict[str, Any] | None:
    """The options pluggy's ``HookspecMarker`` stored on the function (``None``: not a spec)."""
    return getattr(function, f"{PROJECT}_spec", None)


def builtin_plugins() -> list[tuple[str, ModuleType]]:
    """(name, module) of the core's own plugin, then every built-in plugin package by name."""
    plugins = [("core", importlib.import_module(f"{PROJECT}.default_plugin"))]
    # Each built-in plugin is a distribution in plugins/<slug>/ with the package tremplin_<slug>.
    root = Path(__file__).resolve().parents[1] / "plugins"
    for folder in sorted(p for p in root.iterdir() if (p / "pyproject.toml").exists()):
        plugins.append((folder.name, importlib.import_module(f"{PROJECT}_{folder.name}")))
    return plugins


def implementers(hook: str, plugins: list[tuple[str, ModuleType]]) -> list[str]:
    """Names of the built-in plugins whose module has a function ``hook`` marked ``@hookimpl``."""
    names = []
    for name, module in plugins:
        function = getattr(module, hook, None)
        if inspect.isfunction(function) and hasattr(function, f"{PROJECT}_impl"):
            names.append(f"`{name}` (`{module.__name__}`)")
    return names


#: Plugins whose implementation is shown as the example, in order of preference: the worked
#: example of the guide first, the core last.
EXAMPLE_ORDER = ("iml_sublease", "housing", "iml_youth", "alter_logement", "core")
EXAMPLE_MAX_LINES = 30


def example(hook: str, plugins: list[tuple[str, ModuleType]]) -> list[str]:
    """The source of one built-in implementation of ``hook``, as a Markdown code block."""
    by_name = dict(plugins)
    for name in EXAMPLE_ORDER:
        module = by_name.get(name)
        function = getattr(module, hook, None) if module else None
        if inspect.isfunction(function) and hasattr(function, f"{PROJECT}_impl"):
            source = inspect.getsource(function).rstrip().splitlines()
            if len(source) > EXAMPLE_MAX_LINES:
                source = source[:EXAMPLE_MAX_LINES] + ["    ..."]
            return ["", f"Example, from `{module.__name__}`:", "", "```python", *source, "```"]
    spec = getattr(importlib.import_module(f"{PROJECT}.hookspecs"), hook, None)
    if (inspect.getdoc(spec) or "").startswith("Deprecated"):
        return [
            "",
            "No built-in example: the built-in plugins declare their programmes with "
            "[`tremplin_programme_specs`](#tremplin_programme_specs).",
        ]
    return []


def _annotation(annotation: Any) -> str:
    # With ``from __future__ import annotations`` the annotations are already source text.
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def signature(name: str, function: Callable[..., Any]) -> str:
    """``name(arg: type, …) -> type`` as written in the specification."""
    sig = inspect.signature(function)
    params = []
    for param in sig.parameters.values():
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(param.annotation)}"
        params.append(text)
    result = ""
    if sig.return_annotation is not inspect.Signature.empty:
        result = f" -> {_annotation(sig.return_annotation)}"
    return f"{name}({', '.join(params)}){result}"


def _markdown(docstring: str) -> str:
    """The docstring with Sphinx roles (``:mod:`x```) turned into Markdown code spans."""
    return _ROLE.sub(lambda m: f"`{m['target']}`", docstring)


def render() -> str:
    """The whole of ``docs/hooks.md``."""
    module = importlib.import_module(f"{PROJECT}.hookspecs")
    specs = hookspecs()
    plugins = builtin_plugins()
    lines = [
        "# Hook reference",
        "",
        "<!-- Generated by docs/gen_hooks.py from tremplin.hookspecs: do not edit by hand. -->",
        "",
        "This page is generated from the docstrings of `tremplin.hookspecs`; run",
        "`.venv/bin/python docs/gen_hooks.py` after changing a hook. The guide that explains",
        "how to use these hooks is [plugins.md](plugins.md).",
        "",
        _markdown(inspect.getdoc(module) or ""),
        "",
        "| hook | group | first result only | built-in implementations |",
        "|---|---|---|---|",
    ]
    for group, name, function in specs:
        options = _spec_options(function) or {}
        names = [n.split(" ")[0] for n in implementers(name, plugins)]
        lines.append(
            f"| [`{name}`](#{name}) | {group} | {'yes' if options.get('firstresult') else 'no'} "
            f"| {', '.join(names) or '—'} |"
        )
    current = None
    for group, name, function in specs:
        if group != current:
            lines += ["", f"## {group or 'Other hooks'}"]
            current = group
        options = _spec_options(function) or {}
        first = options.get("firstresult")
        names = implementers(name, plugins)
        lines += [
            "",
            f"### {name}",
            "",
            "```python",
            signature(name, function),
            "```",
            "",
            "- **firstresult**: "
            + (
                "yes: the first non-`None` result stops the call."
                if first
                else "no: every implementation is called and all results are collected."
            ),
            "- **built-in implementations**: " + (", ".join(names) if names else "none"),
            "",
            _markdown(inspect.getdoc(function) or "(no docstring)"),
            *example(name, plugins),
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"written {OUTPUT}")


if __name__ == "__main__":
    main()
