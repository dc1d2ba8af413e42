"""The plugin API changelog keeps up with ``tremplin.api`` and the hook specifications."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import tremplin.api
from tremplin import hookspecs

CHANGELOG = Path(__file__).resolve().parents[2] / "docs" / "CHANGELOG-API.md"


def _text() -> str:
    return CHANGELOG.read_text("utf-8")


def test_newest_entry_is_the_running_api_version():
    versions = re.findall(r"^## API (\S+)", _text(), re.MULTILINE)
    assert versions, "docs/CHANGELOG-API.md has no « ## API x.y » entry"
    assert versions[0] == tremplin.api.API_VERSION, (
        f"API_VERSION is {tremplin.api.API_VERSION}: add a « ## API "
        f"{tremplin.api.API_VERSION} » entry at the top of docs/CHANGELOG-API.md"
    )


@pytest.mark.parametrize("name", sorted(tremplin.api.__all__))
def test_every_api_name_is_in_the_changelog(name):
    assert f"`{name}`" in _text(), f"tremplin.api.{name} is not recorded in docs/CHANGELOG-API.md"


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, v in vars(hookspecs).items()
        if inspect.isfunction(v) and hasattr(v, "tremplin_spec")
    ],
)
def test_every_hook_is_in_the_changelog(name):
    assert f"`{name}`" in _text(), f"hook {name} is not recorded in docs/CHANGELOG-API.md"
