"""A plugin that raises does not take down a page: the dashboard, rendered through the app,
still shows the core's blocks, and the failing plugin is named in a notice and in the log."""

from __future__ import annotations

import logging
import types

import pytest

from tremplin.api import DashboardItem, PluginManifest, hookimpl
from tremplin.plugins import load_plugins


def _plugin(slug: str, hook) -> tuple[str, types.ModuleType]:
    module = types.ModuleType(f"fake_{slug}")

    @hookimpl
    def tremplin_manifest():
        return PluginManifest(slug=slug, name=slug, version="1.0", api=">=1.0,<2")

    module.tremplin_manifest = tremplin_manifest
    module.tremplin_dashboard_items = hookimpl(hook)
    return slug, module


def _raises_in_hook(user):
    raise RuntimeError("boom in the hook")


async def _failing_rows(ctx):
    raise RuntimeError("boom in the rows")


def _raises_in_rows(user):
    return [DashboardItem("faulty_block", "Bloc défaillant", _failing_rows, order=5)]


@pytest.fixture
def app(settings):
    """The app with two faulty plugins besides the installed ones (no tables of their own)."""
    from tremplin.web.app import create_app

    host = load_plugins(
        None,
        extra=[_plugin("faulty_hook", _raises_in_hook), _plugin("faulty_rows", _raises_in_rows)],
    )
    return create_app(settings, host)


async def test_dashboard_survives_plugins_that_raise(social_worker, caplog):
    with caplog.at_level(logging.ERROR):
        response = await social_worker.get("/")
    assert response.status_code == 200
    # The core's own blocks are still there.
    assert "Mes accompagnements" in response.text
    assert "Ménages modifiés récemment" in response.text
    # The block whose rows failed is replaced by a notice naming its plugin.
    assert "Ce bloc n'a pas pu être affiché (plugin faulty_rows)" in response.text
    assert "plugin faulty_hook failed in tremplin_dashboard_items" in caplog.text
    assert "plugin faulty_rows failed computing dashboard block faulty_block" in caplog.text
