"""``tremplin plugin new NAME``: a new programme plugin as a separate installable package.

The files come from ``scaffold_templates/`` (``string.Template`` placeholders such as
``${name}``; ``__name__`` in a path becomes the slug, ``package`` the Python package).
The result passes its own tests right after generation; the plugin guide completes it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import keyword
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from string import Template

from tremplin.i18n import gettext
from tremplin.plugins import API_VERSION

__all__ = ["ScaffoldError", "add_subcommand", "new_plugin"]

TEMPLATES = Path(__file__).with_name("scaffold_templates")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(Exception):
    """The plugin cannot be generated; the message is French and shown as is."""


def check_name(name: str) -> None:
    """Refuse a name that cannot be a slug (entry point, package, app and URL prefix)."""
    if not _SLUG.match(name) or keyword.iskeyword(name) or len(name) > 40:
        raise ScaffoldError(
            gettext(
                "nom de plugin invalide : « {name} » — utilisez des minuscules sans "
                "accents, des chiffres et des « _ », en commençant par une lettre "
                "(exemple : foyer_jeunes)"
            ).format(name=name)
        )


def _piccolo_version() -> str:
    try:
        return version("piccolo")
    except PackageNotFoundError:  # only when run from a source tree without Piccolo
        return "1.0.0"


def new_plugin(name: str, directory: Path, title: str | None = None) -> Path:
    """Write ``directory/tremplin-NAME/`` and return its path; never overwrite anything."""
    check_name(name)
    target = directory / f"tremplin-{name}"
    if target.exists():
        raise ScaffoldError(
            gettext("le dossier {target} existe déjà : choisissez un autre nom ou dossier").format(
                target=target
            )
        )
    values = {
        "name": name,
        "title": title or name.replace("_", " ").capitalize(),
        "migration_id": dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S:%f"),
        "piccolo_version": _piccolo_version(),
        # The generated code is written against the running API: it needs at least it.
        "api_range": f">={API_VERSION},<{int(API_VERSION.split('.')[0]) + 1}",
    }
    files = sorted(p for p in TEMPLATES.rglob("*.tmpl") if p.is_file())
    for source in files:
        relative = source.relative_to(TEMPLATES).as_posix().removesuffix(".tmpl")
        relative = relative.replace("__name__", name)
        if relative.startswith("package/"):
            relative = f"tremplin_{name}/" + relative.removeprefix("package/")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        destination.write_text(Template(text).substitute(values), encoding="utf-8")
    return target


def _cmd_new(args: argparse.Namespace) -> None:
    try:
        target = new_plugin(args.name, Path(args.dir), args.title)
    except ScaffoldError as exc:
        # Imported here: the CLI module imports this one to register the subcommand.
        from tremplin.cli import CommandError

        raise CommandError(str(exc)) from None
    print(f"Plugin créé : {target}")
    print(f"  cd {target} && pip install -e . && pytest")


def add_subcommand(sub: argparse._SubParsersAction) -> None:
    """Register ``tremplin plugin new`` on the CLI's sub-parsers."""
    parser = sub.add_parser("plugin", help="outils pour les auteurs de plugins")
    commands = parser.add_subparsers(dest="plugin_command", required=True)
    new = commands.add_parser("new", help="créer un nouveau plugin de programme installable")
    new.add_argument("name", help="slug du plugin : minuscules, chiffres et _ (ex. foyer_jeunes)")
    new.add_argument("--dir", default=".", help="dossier où créer tremplin-NAME/ (défaut : .)")
    new.add_argument("--title", default=None, help="nom français du programme")
    new.set_defaults(func=_cmd_new)
