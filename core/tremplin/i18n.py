"""Translations (gettext catalogues, one domain per package) and locale-aware formatting.

French is the source language: the text in the code and the templates is French, and
``fr`` needs no catalogue. Every other language reads the ``.po``/``.mo`` files a package
ships under ``<package>/locale/<lang>/LC_MESSAGES/<package>.po`` (the core's domain is
``tremplin``, a plugin's is its package name, ``tremplin_housing``). ``make i18n`` extracts,
updates and compiles them; a ``.mo`` missing or older than its ``.po`` is compiled in memory
from the ``.po`` when first needed, so a fresh clone works without the build step.

The language is per context (a request, a report being built): :func:`use_language`. A
lookup tries the package's own catalogue, then the core's, then every other loaded one
(a common table prints the programme's own choices).

Numbers, money, percentages and dates are formatted here, once, by Babel for the current
language: the web filters, the Typst, XLSX and DOCX renderings all call these.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import importlib.util
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

__all__ = [
    "CORE_DOMAIN",
    "LANGUAGES",
    "SOURCE_LANGUAGE",
    "Domain",
    "N_",
    "babel_locale",
    "catalogue_dir",
    "domain",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_money",
    "format_number",
    "format_percent",
    "get_language",
    "gettext",
    "ngettext",
    "pgettext",
    "register_domain",
    "use_language",
]

#: The languages the app speaks; French is the source (no catalogue).
LANGUAGES = ("fr", "en")
SOURCE_LANGUAGE = "fr"
CORE_DOMAIN = "tremplin"
#: The Babel locale of each language (English: British conventions, day/month/year).
LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_language: ContextVar[str] = ContextVar("tremplin_language", default=SOURCE_LANGUAGE)
_domains: dict[str, Path | None] = {}
_merged: dict[tuple[str, str], dict[Any, str]] = {}
_lock = threading.Lock()


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for extraction without translating it (translated where shown)."""
    return message


# --------------------------------------------------------------------------- language


def get_language() -> str:
    """The language of the current request or report (``fr`` by default)."""
    return _language.get()


def set_language(language: str) -> Any:
    """Set the language of the current context; returns the token :func:`reset_language`
    takes."""
    if language not in LANGUAGES:
        # i18n: developer (a programming error)
        raise ValueError(f"langue inconnue : « {language} » ({' ou '.join(LANGUAGES)})")
    return _language.set(language)


def reset_language(token: Any) -> None:
    _language.reset(token)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Everything inside speaks ``language`` (a report built in English)."""
    token = set_language(language)
    try:
        yield
    finally:
        _language.reset(token)


def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(LOCALES[language or get_language()])


# --------------------------------------------------------------------------- catalogues


def catalogue_dir(domain_name: str) -> Path | None:
    """The ``locale`` folder of the package ``domain_name`` (None: not importable)."""
    if domain_name in _domains and _domains[domain_name] is not None:
        return _domains[domain_name]
    try:
        spec = importlib.util.find_spec(domain_name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "locale"


def register_domain(domain_name: str, locale_dir: Path | None = None) -> None:
    """Make ``domain_name``'s catalogue part of every lookup (plugins are registered when
    loaded; the core always is)."""
    with _lock:
        if domain_name in _domains and (locale_dir is None or _domains[domain_name] == locale_dir):
            return  # known (a folder given once is kept)
        _domains[domain_name] = locale_dir
        _merged.clear()


def po_path(domain_name: str, language: str) -> Path | None:
    folder = catalogue_dir(domain_name)
    return None if folder is None else folder / language / "LC_MESSAGES" / f"{domain_name}.po"


def load_catalogue(domain_name: str, language: str) -> dict[Any, str]:
    """The translations of one domain: its ``.mo`` when it is as recent as its ``.po``,
    else the ``.po`` compiled in memory (fuzzy and empty entries left out)."""
    if language == SOURCE_LANGUAGE:
        return {}
    po = po_path(domain_name, language)
    if po is None:
        return {}
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return _catalog_of(_gettext.GNUTranslations(f))
    if not po.is_file():
        return {}
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=LOCALES[language], domain=domain_name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _catalog_of(_gettext.GNUTranslations(buffer))


def _catalog_of(translations: _gettext.GNUTranslations) -> dict[Any, str]:
    catalog = dict(translations._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header
    return catalog


def _lookup(domain_name: str, language: str) -> dict[Any, str]:
    """The merged messages for ``domain_name``: its own win, then the core's, then the
    other registered domains'."""
    key = (domain_name, language)
    found = _merged.get(key)
    if found is not None:
        return found
    with _lock:
        order = [domain_name, CORE_DOMAIN, *sorted(_domains)]
        merged: dict[Any, str] = {}
        for name in reversed(list(dict.fromkeys(order))):
            merged.update(load_catalogue(name, language))
        _merged[key] = merged
        return merged


def reload_catalogues() -> None:
    """Forget the loaded catalogues (after ``make i18n`` in a running process, tests)."""
    with _lock:
        _merged.clear()


class Domain:
    """The translations of one package: ``_ = domain(__name__).gettext``."""

    def __init__(self, name: str) -> None:
        self.name = name.split(".")[0]
        if self.name not in _domains:
            register_domain(self.name)

    def __repr__(self) -> str:
        return f"Domain({self.name!r})"

    def gettext(self, message: str, language: str | None = None) -> str:
        """``message`` in the current language (itself when it has no translation)."""
        language = language or get_language()
        if language == SOURCE_LANGUAGE or not message:
            return message
        return _lookup(self.name, language).get(message) or message

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, language: str | None = None) -> str:
        language = language or get_language()
        if language != SOURCE_LANGUAGE:
            index = 0 if n == 1 else 1  # both languages have two forms (fr: n > 1)
            found = _lookup(self.name, language).get((singular, index))
            if found:
                return found
            return singular if n == 1 else plural
        return singular if n <= 1 else plural

    def pgettext(self, context: str, message: str, language: str | None = None) -> str:
        language = language or get_language()
        if language == SOURCE_LANGUAGE:
            return message
        return _lookup(self.name, language).get(f"{context}\x04{message}") or message

    N_ = staticmethod(N_)


def domain(name: str) -> Domain:
    """The translations of the package ``name`` (a module's ``__name__`` is fine)."""
    return Domain(name)


_core = Domain(CORE_DOMAIN)
gettext = _core.gettext
ngettext = _core.ngettext
pgettext = _core.pgettext
_ = gettext


# --------------------------------------------------------------------------- formatting


def format_decimal(
    value: float | int | Decimal | None, digits: int = 1, fixed: bool = False
) -> str:
    """``1234.5`` → ``1 234,5`` (fr) / ``1,234.5`` (en); at most ``digits`` decimals
    (exactly, when ``fixed``)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=babel_locale())


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    """A whole number without decimals, another with exactly ``digits``."""
    if value is None:
        return ""
    if float(value).is_integer():
        return babel_numbers.format_decimal(int(value), format="#,##0", locale=babel_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=babel_locale())


def format_money(cents: int | None, whole: bool = False) -> str:
    """Cents as euros: ``123450`` → ``1 234,50 €`` (fr) / ``€1,234.50`` (en); ``whole``:
    no cents (``1 234 €``)."""
    if cents is None:
        return ""
    euros = Decimal(int(cents)) / 100
    if whole:
        pattern = "#,##0\xa0¤" if get_language() == "fr" else "¤#,##0"
        return babel_numbers.format_currency(
            euros, "EUR", format=pattern, locale=babel_locale(), currency_digits=False
        )
    return babel_numbers.format_currency(euros, "EUR", locale=babel_locale())


def format_percent(percent: float | int | None, digits: int = 0) -> str:
    """A percentage given out of 100: ``12.5`` → ``12,5 %`` (fr) / ``12.5%`` (en)."""
    if percent is None:
        return ""
    default = babel_locale().percent_formats[None].pattern  # fr: "#,##0\u00a0%"
    pattern = default.replace("#,##0", "#,##0" + ("." + "#" * digits if digits else ""), 1)
    return babel_numbers.format_percent(
        Decimal(str(percent)) / 100, format=pattern, locale=babel_locale()
    )


def number_symbols(language: str | None = None) -> dict[str, Any]:
    """The symbols Babel's formats use in ``language``, for renderers that lay numbers out
    themselves (the Typst report): decimal and group separators, what goes between a
    number and ``%``, and whether ``€`` comes before the amount."""
    locale = babel_locale(language)
    percent = locale.percent_formats[None].pattern
    currency = locale.currency_formats["standard"].pattern
    return {
        "decimal": babel_numbers.get_decimal_symbol(locale),
        "group": babel_numbers.get_group_symbol(locale),
        "minus": "−",
        "percent": percent[percent.index("0") + 1 :].replace("#", ""),
        "euro-before": currency.strip().startswith("¤"),
        "euro-space": "\u00a0" if "\u00a0¤" in currency else "",
    }


def format_date(value: dt.date | str | None, style: str = "short") -> str:
    """``short``: ``31/12/2024`` in both; ``long``: ``31 décembre 2024`` / ``31 December 2024``."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if style == "short":
        return babel_dates.format_date(value, "dd/MM/y", locale=babel_locale())
    return babel_dates.format_date(value, style, locale=babel_locale())


def format_datetime(value: dt.datetime, seconds: bool = False) -> str:
    """``31/12/2024 14:05`` (the caller gives the time in the zone to show)."""
    pattern = "dd/MM/y HH:mm" + (":ss" if seconds else "")
    return babel_dates.format_datetime(value, pattern, tzinfo=value.tzinfo, locale=babel_locale())
