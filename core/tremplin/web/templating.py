"""The Jinja environment: override folder, then plugins' folders, then the theme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from litestar import Request
from litestar.response import Template

import tremplin_theme_default
from tremplin import i18n
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
        extensions=[FormIdExtension, "jinja2.ext.i18n"],
        finalize=translate_label,
    )
    install_translations(env, template_dirs)
    env.globals["new_form_id"] = new_form_id
    env.filters["date_fr"] = date_fr
    env.filters["date_long"] = date_long
    env.filters["datetime_fr"] = datetime_fr
    env.filters["money"] = money
    env.filters["filesize"] = filesize
    env.filters["number_fr"] = number_fr
    env.filters["percent"] = i18n.format_percent
    env.filters["translate"] = translate
    env.globals["language"] = i18n.get_language
    env.globals["field_label"] = field_label
    env.globals["audit_action"] = action_label
    env.globals["audit_object"] = object_label
    env.globals["audit_actions"] = dict(sorted(ACTIONS.items(), key=lambda kv: kv[1]))
    env.globals["audit_objects"] = dict(sorted(OBJECTS.items(), key=lambda kv: kv[1]))
    return env


def template_domains(template_dirs: list[Path]) -> dict[str, str]:
    """The gettext domain of each plugin's template folder: ``housing/…`` →
    ``tremplin_housing`` (the package the ``templates`` folder sits in)."""
    out: dict[str, str] = {}
    for folder in template_dirs:
        package = folder.parent.name
        if not folder.is_dir() or not package.isidentifier():
            continue
        i18n.register_domain(package)
        for sub in folder.iterdir():
            if sub.is_dir():
                out.setdefault(sub.name, package)
    return out


def install_translations(env: Environment, template_dirs: list[Path]) -> None:
    """``_()``, ``gettext``, ``ngettext``, ``pgettext`` and ``{% trans %}`` (newstyle) in the
    current request's language. A plugin's template (``housing/…``) looks its text up in
    its plugin's catalogue first, then the core's; a theme's or the core's templates in the
    core's (``tremplin``)."""
    domains = template_domains(template_dirs)

    def domain_of(name: str | None) -> i18n.Domain:
        first = (name or "").removeprefix("default:").split("/", 1)[0]
        return i18n.domain(domains.get(first, i18n.CORE_DOMAIN))

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return domain_of(context.name).gettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return domain_of(context.name).ngettext(singular, plural, n)

    @pass_context
    def pgettext(context: Context, ctx: str, message: str) -> str:
        return domain_of(context.name).pgettext(ctx, message)

    @pass_context
    def npgettext(context: Context, ctx: str, singular: str, plural: str, n: int) -> str:
        return domain_of(context.name).ngettext(singular, plural, n)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )


def translate_label(value: Any) -> Any:
    """Every plain string a template prints (``{{ item.label }}``) that is a text of the
    catalogues — a label declared with ``N_()``: a choice, a state, a navigation item — is
    shown in the request's language. Text from ``_()`` is ``Markup`` and left alone; so is
    everything in French, the source language."""
    if type(value) is str and value and i18n.get_language() != i18n.SOURCE_LANGUAGE:
        return i18n.gettext(value)
    return value


@pass_context
def translate(context: Context, value: Any) -> str:
    """A label that is data (a choice, a programme's name) in the current language."""
    if not isinstance(value, str):
        return value
    return i18n.domain(i18n.CORE_DOMAIN).gettext(value)


def date_fr(value: Any) -> str:
    """A date as ``31/12/2024`` (the short form of both languages)."""
    return i18n.format_date(value)


def date_long(value: Any) -> str:
    """``31 décembre 2024`` / ``31 December 2024``."""
    return i18n.format_date(value, "long")


def datetime_fr(value: dt.datetime | str | None, seconds: bool = False) -> str:
    """An aware time in the association's time zone (Europe/Paris), French order."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored times are UTC (Piccolo reads naive ones as UTC)
        value = value.replace(tzinfo=dt.UTC)
    return i18n.format_datetime(value.astimezone(clock.zone()), seconds)


def money(cents: int | None) -> str:
    """Cents as euros in the current language (``1 234,50 €``)."""
    return i18n.format_money(cents)


def number_fr(value: float | int | None) -> str:
    """``1234.5`` → ``"1 234,5"``; whole numbers without decimals."""
    return i18n.format_number(value)


def filesize(size: int) -> str:
    """``1536`` → ``"1,5 Ko"`` / ``"1.5 KB"``."""
    units = (("Mo", 1024 * 1024), ("Ko", 1024))
    for unit, factor in units:
        if size >= factor or unit == "Ko":
            return f"{i18n.format_number(size / factor)} {i18n.gettext(unit)}"
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
