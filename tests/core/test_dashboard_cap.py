"""A dashboard block shows its first rows and counts the others, with a link to see them all."""

from __future__ import annotations

import re
import types

import pytest

from tremplin.api import DashboardItem, DashboardRow, PluginManifest, hookimpl
from tremplin.plugins import load_plugins
from tremplin.types import DASHBOARD_ROWS


async def _many_rows(ctx):
    return [DashboardRow(f"Ligne {i:02d}", None, "") for i in range(40)]


async def _few_rows(ctx):
    return [DashboardRow("Seule ligne", None, "")]


def _items(user):
    return [
        DashboardItem("many_block", "Bloc chargé", _many_rows, order=5, more_href="/tout-voir"),
        DashboardItem("few_block", "Bloc léger", _few_rows, order=6),
    ]


@pytest.fixture
def app(settings):
    from tremplin.web.app import create_app

    module = types.ModuleType("fake_busy")

    @hookimpl
    def tremplin_manifest():
        return PluginManifest(slug="busy", name="busy", version="1.0", api=">=1.1,<2")

    module.tremplin_manifest = tremplin_manifest
    module.tremplin_dashboard_items = hookimpl(_items)
    return create_app(settings, load_plugins(None, extra=[("busy", module)]))


async def test_a_long_block_is_cut_and_counted(social_worker):
    response = await social_worker.get("/")
    assert response.status_code == 200
    many = re.search(r'id="dash-many_block">(.*?)</section>', response.text, re.S).group(1)
    shown = re.findall(r"Ligne (\d\d)", many)
    assert shown == [f"{i:02d}" for i in range(DASHBOARD_ROWS)]
    assert f"… et {40 - DASHBOARD_ROWS} autres" in many
    assert 'href="/tout-voir"' in many
    few = re.search(r'id="dash-few_block">(.*?)</section>', response.text, re.S).group(1)
    assert "Seule ligne" in few and "autre" not in few
