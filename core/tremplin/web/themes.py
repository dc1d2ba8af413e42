"""Themes: the folders of templates, static files and report templates the app is drawn with.

A theme is a folder holding any of ``templates/``, ``static/`` and ``reports/``. The default
theme is the distribution ``tremplin-theme-default``; another theme is named by the ``theme``
setting, either as an installed theme (an entry point of the group ``tremplin.themes`` whose
module has a ``ROOT`` folder, or whose package folder is the theme) or as a folder path. A
theme may be partial: whatever it does not provide comes from the default theme, and its
templates may extend the default's with the ``default:`` prefix
(``{% extends "default:base.html" %}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import tremplin_theme_default
from tremplin.config import ConfigError
from tremplin.i18n import gettext

__all__ = ["DEFAULT_THEME", "THEME_ENTRY_POINTS", "Theme", "resolve_theme"]

THEME_ENTRY_POINTS = "tremplin.themes"


@dataclass(frozen=True)
class Theme:
    """A theme's name and folder; the default theme is searched after it."""

    name: str
    root: Path

    @property
    def is_default(self) -> bool:
        return self.root == DEFAULT_THEME.root

    def folders(self, kind: str) -> list[Path]:
        """This theme's ``kind`` folder (``templates``, ``static``, ``reports``) when it has
        one, then the default theme's."""
        own = self.root / kind
        found = [own] if own.is_dir() and not self.is_default else []
        return [*found, DEFAULT_THEME.root / kind]

    def report_template(self, name: str = "report.typ") -> Path:
        """The Typst template ``name``: the theme's if it has one, else the default's."""
        for folder in self.folders("reports"):
            if (folder / name).is_file():
                return folder / name
        return DEFAULT_THEME.root / "reports" / name


DEFAULT_THEME = Theme("default", tremplin_theme_default.ROOT)


def resolve_theme(setting: str | Path | None) -> Theme:
    """The theme the ``theme`` setting names: ``default`` (or nothing), an installed theme's
    entry-point name, or a folder. Anything else stops start-up with a French message."""
    if setting is None or str(setting) in ("", "default"):
        return DEFAULT_THEME
    name = str(setting)
    for ep in entry_points(group=THEME_ENTRY_POINTS):
        if ep.name == name:
            module = ep.load()
            root = getattr(module, "ROOT", None) or Path(module.__file__).parent
            return Theme(name, Path(root))
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not any((folder / kind).is_dir() for kind in ("templates", "static", "reports")):
            raise ConfigError(
                gettext(
                    "thème « {name} » : le dossier ne contient ni templates/, ni static/, "
                    "ni reports/"
                ).format(name=name)
            )
        return Theme(folder.resolve().name, folder.resolve())
    installed = sorted(ep.name for ep in entry_points(group=THEME_ENTRY_POINTS))
    raise ConfigError(
        gettext(
            "thème inconnu : « {name} » (ni un thème installé — {installed} — ni "
            "un dossier existant)"
        ).format(name=name, installed=", ".join(["default", *installed]))
    )
