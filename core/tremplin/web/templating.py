"""The Jinja environment: override folder, then plugins' folders, then the theme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from litestar import Request
from litestar.response import Template

import tremplin_theme_default
from tremplin.audit_labels import ACTIONS, OBJECTS, action_label, object_label
from tremplin.services import clock
from tremplin.types import Field
from tremplin.web.onetime import FormIdExtension, new_form_id
from tremplin.web.themes import DEFAULT_THEME, Theme

THEME_DIR: Path = tremplin_theme_default.ROOT

#: What ``getattr`` finds on a plain dict: only its methods (a dict has no instance attributes).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment with a faster ``row.key`` for the dicts the pages render.

    ``{{ row.name }}`` first tries ``getattr(row, "name")``, which on a dict raises (and
    catches) an ``AttributeError`` before ``row["name"]`` answers: hundreds of times per
    household page. A plain dict has no attribute but its methods, so looking the key up
    first when the name is not one of them gives exactly the same result.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def build_environment(
    template_dirs: list[Path],
    override: Path | None,
    auto_reload: bool = True,
    theme: Theme = DEFAULT_THEME,
) -> Environment:
    """Templates are searched in the association's override folder, then the theme, then
    the plugins' folders, then the default theme; ``default:name`` is always the default
    theme's template, so an override can extend the one it replaces.

    ``auto_reload``: check the template files for changes on every render (development);
    in production templates are read once, a change needs a restart."""
    theme_folders = theme.folders("templates")
    folders = [
        *([override] if override else []),
        *theme_folders[:-1],
        *template_dirs,
        theme_folders[-1],
    ]
    default = FileSystemLoader(str(DEFAULT_THEME.root / "templates"))
    env = _Environment(
        loader=ChoiceLoader(
            [
                *(FileSystemLoader(str(f)) for f in folders),
                PrefixLoader({"default": default}, delimiter=":"),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
        extensions=[FormIdExtension],
    )
    env.globals["new_form_id"] = new_form_id
    env.filters["date_fr"] = date_fr
    env.filters["datetime_fr"] = datetime_fr
    env.filters["money"] = money
    env.filters["filesize"] = filesize
    env.filters["number_fr"] = number_fr
    env.globals["field_label"] = field_label
    env.globals["audit_action"] = action_label
    env.globals["audit_object"] = object_label
    env.globals["audit_actions"] = dict(sorted(ACTIONS.items(), key=lambda kv: kv[1]))
    env.globals["audit_objects"] = dict(sorted(OBJECTS.items(), key=lambda kv: kv[1]))
    return env


def date_fr(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def datetime_fr(value: dt.datetime | str | None, seconds: bool = False) -> str:
    """An aware time in the association's time zone (Europe/Paris), French order."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored times are UTC (Piccolo reads naive ones as UTC)
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(clock.zone()).strftime("%d/%m/%Y %H:%M" + (":%S" if seconds else ""))


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return Field("m", "m", kind="money").label_of(cents)


def number_fr(value: float | int | None) -> str:
    """``1234.5`` → ``"1 234,5"``; whole numbers without decimals."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def filesize(size: int) -> str:
    """``1536`` → ``"1,5 Ko"`` (French decimal comma)."""
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor or unit == "Ko":
            return f"{size / factor:.1f} {unit}".replace(".", ",")
    return f"{size} o"


def field_label(field: Field, value: Any) -> str:
    return field.label_of(value)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Template:
    """A full page, or its fragment when htmx asks: ``fragment`` if given, else the template
    named ``_<name>`` beside ``template`` when it exists (``x/page.html`` → ``x/_page.html``)."""
    name = template
    if request.headers.get("hx-request"):
        folder, _, base = template.rpartition("/")
        candidate = fragment or (f"{folder}/_{base}" if folder else f"_{base}")
        try:
            request.app.state.tremplin.jinja.get_template(candidate)
            name = candidate
        except Exception:  # no fragment template: the full page is the answer
            name = template
    return Template(template_name=name, context=context or {}, status_code=status)
