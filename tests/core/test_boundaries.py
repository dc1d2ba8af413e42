"""Architecture rules, checked on the source: one public door, no plugin-to-plugin imports
except a declared dependency's public ``api`` module, and a core that never imports a plugin."""

import ast
from pathlib import Path

from tremplin.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]
# Each built-in plugin is a distribution: plugins/<slug>/pyproject.toml, package tremplin_<slug>.
PLUGIN_DIRS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
PLUGIN_PACKAGES = {f"tremplin_{p.name}": p.name for p in PLUGIN_DIRS}


def _plugin_of(module: str) -> str | None:
    return PLUGIN_PACKAGES.get(module.split(".")[0])


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in PLUGIN_PACKAGES:
                # ``from tremplin_housing import api`` imports the module ``….api``
                names.extend(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                names.append(node.module)
    return names


def test_core_never_imports_a_plugin():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "core").rglob("*.py")
        for name in imports_of(path)
        if _plugin_of(name)
    ]
    assert offenders == []


def test_plugins_use_only_the_public_api_and_declared_dependencies():
    host = load_plugins(None)
    offenders = []
    assert len(PLUGIN_DIRS) >= 8
    for plugin_dir in PLUGIN_DIRS:
        slug = plugin_dir.name
        deps = set(host.installed[slug].manifest.depends_on) if slug in host.installed else set()
        for path in plugin_dir.rglob("*.py"):
            for name in imports_of(path):
                if name.startswith("tremplin.") or name == "tremplin":
                    if name != "tremplin.api":
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
                elif other := _plugin_of(name):
                    if other != slug and not (other in deps and name == f"tremplin_{other}.api"):
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_one_programme_one_slug():
    """Folder, entry point, Piccolo app and template folder share the plugin's slug."""
    host = load_plugins(None)
    for slug, plugin in host.installed.items():
        if plugin.module.__name__ in PLUGIN_PACKAGES:
            # A built-in plugin: package tremplin_<slug> in the folder plugins/<slug>/.
            assert plugin.module.__name__ == f"tremplin_{slug}"
            assert (
                Path(plugin.module.__file__).parent == ROOT / "plugins" / slug / f"tremplin_{slug}"
            )
        folder = Path(plugin.module.__file__).parent
        apps = (
            plugin.module.tremplin_piccolo_apps()
            if hasattr(plugin.module, "tremplin_piccolo_apps")
            else []
        )
        for app in apps:
            assert app == f"{plugin.module.__name__}.piccolo_app"
            from importlib import import_module

            assert import_module(app).APP_CONFIG.app_name == slug
        templates = folder / "templates"
        if templates.exists():
            assert [p.name for p in templates.iterdir() if p.is_dir()] == [slug]


def test_no_module_imports_another_modules_private_name():
    """A ``_name`` stays in its module: what another module needs is made public (issue 18,
    « one helper, one place »). Migrations, which copy what they need, are left aside."""
    sources = [p for p in (ROOT / "core" / "tremplin").rglob("*.py")]
    sources += [p for d in PLUGIN_DIRS for p in d.rglob("tremplin_*/**/*.py")]
    offenders = []
    for path in sources:
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("tremplin")
            ):
                private = [
                    a.name for a in node.names if a.name.startswith("_") and a.name[1] != "_"
                ]
                if private:
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert sources and not offenders, "\n".join(offenders)
