"""Translations: the gettext catalogues (one domain per package), the loader, the per-plugin
domains of the templates, and Babel's formatting of numbers, money, percentages and dates."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from tremplin import i18n

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_no_catalogue_has_an_untranslated_or_fuzzy_entry():
    left = _tool("i18n").untranslated()
    assert [f"{po.relative_to(ROOT)}: [{why}] {text}" for po, text, why in left] == []


def test_the_catalogues_hold_every_text_of_the_code_and_templates():
    """``make i18n`` was run: extracting again finds nothing the catalogues lack."""
    tool = _tool("i18n")
    missing = []
    for domain in tool.domains():
        po = domain.po("en")
        known = {m.id for m in tool._read(po, "en", domain.name)} if po.is_file() else set()
        missing += [f"{domain.name}: {m.id}" for m in tool.extract(domain) if m.id not in known]
    assert missing == []


def test_every_label_of_the_declarations_is_marked():
    mark = _tool("i18n_mark_labels")
    assert mark.main(["--check"]) == 0


def _catalogue(folder: Path, domain: str, entries: dict[str, str], fuzzy=()) -> Path:
    catalog = Catalog(locale="en_GB", domain=domain)
    for french, english in entries.items():
        catalog.add(french, english, flags=("fuzzy",) if french in fuzzy else ())
    po = folder / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    return po


def test_a_missing_or_stale_mo_is_compiled_in_memory_from_its_po(tmp_path):
    package = tmp_path / "tremplin_fake_i18n"
    po = _catalogue(
        package, "tremplin_fake_i18n", {"Bonjour": "Hello", "Flou": "Fuzzy"}, fuzzy={"Flou"}
    )
    i18n.register_domain("tremplin_fake_i18n", package / "locale")
    fake = i18n.domain("tremplin_fake_i18n")
    try:
        with i18n.use_language("en"):
            assert fake.gettext("Bonjour") == "Hello"  # no .mo: the .po, compiled in memory
            assert fake.gettext("Flou") == "Flou"  # a fuzzy entry is not used
            assert fake.gettext("Sorties") == "Exits"  # then the core's catalogue
            assert fake.gettext("Inconnu") == "Inconnu"
        assert fake.gettext("Bonjour") == "Bonjour"  # French: the source text
        # An older .mo is ignored; a .mo at least as recent as its .po is read.
        catalog = Catalog(locale="en_GB", domain="tremplin_fake_i18n")
        catalog.add("Bonjour", "Hi (compiled)")
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog)
        old = po.stat().st_mtime - 10
        os.utime(mo, (old, old))
        i18n.reload_catalogues()
        with i18n.use_language("en"):
            assert fake.gettext("Bonjour") == "Hello"
        os.utime(mo, (old + 20, old + 20))
        i18n.reload_catalogues()
        with i18n.use_language("en"):
            assert fake.gettext("Bonjour") == "Hi (compiled)"
            assert fake.ngettext("Bonjour", "Bonjours", 1) == "Bonjour"  # no plural entry
    finally:
        i18n._domains.pop("tremplin_fake_i18n", None)
        i18n.reload_catalogues()


def test_the_language_is_per_context_and_checked():
    assert i18n.get_language() == "fr"
    with i18n.use_language("en"):
        assert i18n.get_language() == "en"
        assert i18n.gettext("Sorties") == "Exits"
    assert i18n.gettext("Sorties") == "Sorties"
    with pytest.raises(ValueError), i18n.use_language("de"):
        pass


def test_numbers_money_percentages_and_dates_are_formatted_by_babel():
    day = dt.date(2024, 12, 31)
    assert i18n.format_money(123450) == "1\u202f234,50\u00a0€"
    assert i18n.format_money(123456, whole=True) == "1\u202f235\u00a0€"
    assert i18n.format_number(1234.5) == "1\u202f234,5"
    assert i18n.format_number(1234) == "1\u202f234"
    assert i18n.format_percent(12.5, 1) == "12,5\u00a0%"
    assert i18n.format_date(day) == "31/12/2024"
    assert i18n.format_date("2024-12-31", "long") == "31 décembre 2024"
    with i18n.use_language("en"):
        assert i18n.format_money(123450) == "€1,234.50"
        assert i18n.format_number(1234.5) == "1,234.5"
        assert i18n.format_percent(12.5, 1) == "12.5%"
        assert i18n.format_date(day, "long") == "31 December 2024"
    assert i18n.format_money(None) == i18n.format_date(None) == ""


def test_a_value_label_is_translated_then_formatted():
    from tremplin.types import Choice, Field

    money = Field("m", "Montant", kind="money")
    yes_no = Field("b", "Oui ?", kind="bool")
    sex = Field("s", "Sexe", kind="choice", choices=(Choice("f", "Femme"),))
    assert money.label_of(250000) == "2\u202f500,00\u00a0€"
    assert sex.label_of("f") == "Femme" and yes_no.label_of(True) == "oui"
    with i18n.use_language("en"):
        assert money.label_of(250000) == "€2,500.00"
        assert sex.label_of("f") == "Woman" and yes_no.label_of(True) == "yes"


def test_a_plugin_template_reads_its_plugin_catalogue_then_the_core(tmp_path):
    from tremplin.web.templating import build_environment

    package = tmp_path / "tremplin_tpl_i18n"
    templates = package / "templates"
    (templates / "tpl_i18n").mkdir(parents=True)
    (templates / "tpl_i18n" / "page.html").write_text(
        "{{ _('Bonjour %(name)s', name=who) }} · {{ _('Sorties') }} · "
        "{% trans n=3 %}{{ n }} ménages{% endtrans %} · {{ cents|money }}",
        encoding="utf-8",
    )
    _catalogue(
        package,
        "tremplin_tpl_i18n",
        {"Bonjour %(name)s": "Hello %(name)s", "%(n)s ménages": "%(n)s households"},
    )
    i18n.register_domain("tremplin_tpl_i18n", package / "locale")
    try:
        env = build_environment([templates], None)
        page = env.get_template("tpl_i18n/page.html")
        assert page.render(who="<b>Anne</b>", cents=123450) == (
            "Bonjour &lt;b&gt;Anne&lt;/b&gt; · Sorties · 3 ménages · 1\u202f234,50\u00a0€"
        )
        with i18n.use_language("en"):
            assert (
                page.render(who="Anne", cents=123450)
                == "Hello Anne · Exits · 3 households · €1,234.50"
            )
    finally:
        i18n._domains.pop("tremplin_tpl_i18n", None)
        i18n.reload_catalogues()


async def test_pages_are_served_in_the_language_setting(database, settings):
    """The ``language`` setting: the whole page in English, formats included."""
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from tremplin.web.app import create_app

    app = create_app(replace(settings, language="en"))
    async with AsyncTestClient(app) as client:
        page = await client.get("/login")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    assert i18n.get_language() == "fr"  # the request's language did not leak


def test_translations_keep_the_placeholders_of_their_french():
    tool = _tool("i18n")
    wrong = []
    for domain in tool.domains():
        catalog = tool._read(domain.po("en"), "en", domain.name)
        for message in catalog:
            if not message.id or not message.string:
                continue
            wrong += [f"{message.id}: {error}" for error in message.check(catalog)]
            # A plural entry: each English form against its French form.
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for french, english in zip(ids, strings, strict=True):
                for pattern in (r"\{\w*\}", r"%(?:\(\w+\))?[sd%]"):
                    if sorted(re.findall(pattern, french)) != sorted(re.findall(pattern, english)):
                        wrong.append(f"{french} → {english}")
    assert wrong == []


ACCENTED = re.compile("[éèêàâùûôîçœÉÈÀÇ]")


def _french_texts() -> set[str]:
    """Every French text of the catalogues whose English differs."""
    tool = _tool("i18n")
    out = set()
    for domain in tool.domains():
        for message in tool._read(domain.po("en"), "en", domain.name):
            if isinstance(message.id, str) and message.string and message.string != message.id:
                out.add(" ".join(message.id.replace("%%", "%").split()))
    return out


def _visible_texts(html: str) -> list[str]:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    texts = re.split(r"<[^>]*>", html)
    attributes = re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*)"', html)
    return [" ".join(t.split()) for t in [*texts, *attributes] if t.strip()]


async def test_the_english_pages_have_no_french_left(database, settings, users):
    """A sample of pages in English: no text of theirs is still a French text of the
    catalogues (the people's names and the association's own words are data)."""
    from dataclasses import replace

    import httpx

    from tests.conftest import login
    from tremplin.web.app import create_app

    app = create_app(replace(settings, language="en"))
    french = _french_texts()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local", follow_redirects=False
    ) as client:
        await login(client, "social_worker@test.fr")
        left = {}
        for path in (
            "/",
            "/households",
            "/households/new",
            "/echeances",
            "/calendrier",
            "/compte/agenda",
            "/account/password",
            "/passages",
        ):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert '<html lang="en">' in page.text
            texts = _visible_texts(page.text)
            found = [t for t in texts if t in french]
            # Any accented text left is French, but for data: the association's name and
            # the example name of the household form.
            found += [
                t
                for t in texts
                if ACCENTED.search(t) and "Tremplin (démo)" not in t and "Éléonore" not in t
            ]
            if found:
                left[path] = found
    assert left == {}, "\n".join(f"{p}: {sorted(set(t))}" for p, t in left.items())


def test_no_user_facing_fstring_label_is_left():
    """Every f-string message with words of its own goes through gettext, except a
    developer's message marked ``# i18n: developer``."""
    mark = _tool("i18n_mark_labels")
    assert mark.main(["--check-fstrings"]) == 0


def test_the_fstring_check_tells_user_messages_from_the_rest(tmp_path):
    mark = _tool("i18n_mark_labels")
    source = tmp_path / "module.py"
    source.write_text(
        "def f(errors, n, name, ref, bad):\n"
        '    errors["n"] = f"{n} lignes au plus"\n'
        '    errors["ref"] = f"{name} ({ref})"\n'
        "    if bad:\n"
        "        # i18n: developer (a plugin author's mistake)\n"
        "        raise TypeError(\n"
        '            f"due() returned {bad}"\n'
        "        )\n"
        '    raise ValueError(f"fuseau horaire inconnu : {name!r}")\n',
        encoding="utf-8",
    )
    tree = mark.ast.parse(source.read_text(encoding="utf-8"))
    found = mark.fstring_labels(source.read_text(encoding="utf-8"), tree)
    assert [node.lineno for node in found] == [2, 9]
    assert mark.main(["--check-fstrings", str(source)]) == 1


def test_messages_with_values_are_translated_then_filled(tmp_path):
    """A sample of the former f-string messages, in English: a form error, an import error,
    a configuration error, a dashboard row."""
    from tremplin.config import ConfigError, load_settings
    from tremplin.importer import _date
    from tremplin.values import FieldError
    from tremplin_housing import ngettext as housing_ngettext
    from tremplin_iml_youth.rules import cej_errors

    data = {"cej_start": dt.date(2026, 1, 5), "cej_end": dt.date(2027, 9, 1)}
    with i18n.use_language("fr"):
        assert cej_errors(data)["cej_end"] == (
            "le CEJ dure 12 mois, 18 au plus : fin au plus tard le 05/07/2027"
        )
    with i18n.use_language("en"):
        assert cej_errors(data)["cej_end"] == (
            "the CEJ lasts 12 months, 18 at most: end on 05/07/2027 at the latest"
        )
        with pytest.raises(FieldError, match="^invalid date “31/02/2026” \\(DD/MM/YYYY\\)$"):
            _date("31/02/2026")
        with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
            load_settings(
                environ={"TREMPLIN_TIME_ZONE": "Mars/Olympus", "TREMPLIN_DATA_DIR": str(tmp_path)}
            )
        rows = housing_ngettext(
            "{n} ménage au-dessus du seuil", "{n} ménages au-dessus du seuil", 3
        ).format(n=3)
        assert rows == "3 households above the threshold"
