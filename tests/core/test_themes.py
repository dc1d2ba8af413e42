"""Themes: a small theme changes the colours and the logo and extends one block of the
default ``base.html``; plugins' static folders are served under ``/static/<slug>/``."""

from __future__ import annotations

import types
from dataclasses import replace

import httpx
import pytest

from tremplin.config import ConfigError
from tremplin.plugins import load_plugins
from tremplin.web.themes import DEFAULT_THEME, resolve_theme

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>'


def make_theme(root):
    (root / "templates").mkdir(parents=True)
    (root / "static").mkdir()
    # Extends the default base.html and replaces one block only.
    (root / "templates" / "base.html").write_text(
        '{% extends "default:base.html" %}\n'
        '{% block head %}<link rel="stylesheet" href="/static/asso.css">{% endblock %}\n'
        '{% block brand %}<a class="brand" href="/"><img src="/static/logo.svg" '
        'alt="Association du Phare"></a>{% endblock %}\n'
    )
    (root / "static" / "asso.css").write_text(":root { --brand: #7a1f5c; }\n")
    (root / "static" / "logo.svg").write_text(LOGO)
    return root


def test_unknown_theme_is_refused_with_a_french_message(tmp_path):
    assert resolve_theme("default") == DEFAULT_THEME
    with pytest.raises(ConfigError, match="thème inconnu : « violet »"):
        resolve_theme("violet")
    (tmp_path / "vide").mkdir()
    with pytest.raises(ConfigError, match="ni templates/, ni static/"):
        resolve_theme(str(tmp_path / "vide"))


async def test_a_theme_extends_one_block_and_changes_colours_and_logo(
    settings, host, database, tmp_path
):
    from tremplin.web.app import create_app

    theme = make_theme(tmp_path / "phare")
    app = create_app(replace(settings, theme=str(theme)), host)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        page = (await client.get("/login")).text
        # The theme's block replaced the default brand; the rest of base.html is the default's.
        assert 'alt="Association du Phare"' in page
        assert '<a class="brand" href="/">Tremplin</a>' not in page
        assert '<link rel="stylesheet" href="/static/asso.css">' in page
        assert 'href="/static/tremplin.css"' in page and 'id="main"' in page
        # The theme's static files first, then the default theme's.
        assert (await client.get("/static/logo.svg")).text == LOGO
        assert "--brand: #7a1f5c" in (await client.get("/static/asso.css")).text
        assert (await client.get("/static/htmx.min.js")).status_code == 200


async def test_plugin_static_files_are_served_under_their_slug(settings, database, tmp_path):
    from tremplin.api import PluginManifest, hookimpl
    from tremplin.web.app import create_app

    package = tmp_path / "tremplin_lumen"
    (package / "static").mkdir(parents=True)
    (package / "static" / "lumen.js").write_text("console.log('lumen');\n")
    module = types.ModuleType("tremplin_lumen")
    module.__file__ = str(package / "__init__.py")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug="lumen", name="Lumen"))
    host = load_plugins(None, extra=[("lumen", module)])
    app = create_app(settings, host)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        served = await client.get("/static/lumen/lumen.js")
        assert served.status_code == 200 and "lumen" in served.text
        assert (await client.get("/static/lumen/absent.js")).status_code == 404
        assert (await client.get("/static/tremplin.css")).status_code == 200
