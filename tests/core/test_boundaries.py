"""Architecture rules, checked on the source: one public door, no plugin-to-plugin imports
except a declared dependency's public ``api`` module, and a core that never imports a plugin."""

import ast
from pathlib import Path

from tremplin.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") == 1 and node.module.startswith("tremplin_plugins."):
                # ``from tremplin_plugins.housing import api`` imports the module ``….api``
                names.extend(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                names.append(node.module)
    return names


def test_core_never_imports_a_plugin():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "core").rglob("*.py")
        for name in imports_of(path)
        if name.startswith("tremplin_plugins")
    ]
    assert offenders == []


def test_plugins_use_only_the_public_api_and_declared_dependencies():
    host = load_plugins(None)
    offenders = []
    for plugin_dir in sorted(p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()):
        slug = plugin_dir.name
        deps = set(host.installed[slug].manifest.depends_on) if slug in host.installed else set()
        for path in plugin_dir.rglob("*.py"):
            for name in imports_of(path):
                if name.startswith("tremplin.") or name == "tremplin":
                    if name != "tremplin.api":
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
                elif name.startswith("tremplin_plugins."):
                    other = name.split(".")[1]
                    if other != slug and not (other in deps and name == f"tremplin_plugins.{other}.api"):
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_one_programme_one_slug():
    """Folder, entry point, Piccolo app and template folder share the plugin's slug."""
    host = load_plugins(None)
    for slug, plugin in host.installed.items():
        assert plugin.module.__name__ == f"tremplin_plugins.{slug}" or not plugin.module.__name__.startswith(
            "tremplin_plugins")
        folder = Path(plugin.module.__file__).parent
        apps = plugin.module.tremplin_piccolo_apps() if hasattr(plugin.module, "tremplin_piccolo_apps") else []
        for app in apps:
            assert app == f"{plugin.module.__name__}.piccolo_app"
            from importlib import import_module

            assert import_module(app).APP_CONFIG.app_name == slug
        templates = folder / "templates"
        if templates.exists():
            assert [p.name for p in templates.iterdir() if p.is_dir()] == [slug]
