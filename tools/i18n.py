"""The gettext catalogues: extract, update, compile, and list what is left to translate.

One domain per package: the core's ``tremplin`` (``core/tremplin`` and the default theme's
templates, catalogue in ``core/tremplin/locale``) and one per plugin (its package folder,
catalogue in ``plugins/<slug>/tremplin_<slug>/locale``). The extraction rules are in
``babel.cfg``. French is the source language; each other language of
:data:`tremplin.i18n.LANGUAGES` has a ``<package>/locale/<lang>/LC_MESSAGES/<package>.po``.

Usage (``make i18n`` runs ``all``)::

    python tools/i18n.py all          # extract + update the .po files + compile the .mo files
    python tools/i18n.py extract      # update the .po files from the code and templates
    python tools/i18n.py compile      # .po → .mo (what make install / make run do)
    python tools/i18n.py untranslated # list the entries with no translation, or fuzzy
    python tools/i18n.py check        # exit 1 when an entry is untranslated or fuzzy

The ``.po`` files are committed (locations without line numbers, so that edits elsewhere in
a file do not touch them); the ``.mo`` files are build output, ignored by git. An entry
whose text left the code is dropped (not kept as obsolete), so a catalogue only holds what
the code says.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en",)
LOCALES = {"en": "en_GB"}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "lazy_gettext": None}


@dataclass(frozen=True)
class Domain:
    name: str
    package: Path  # where locale/ lives
    sources: tuple[Path, ...]

    def po(self, language: str) -> Path:
        return self.package / "locale" / language / "LC_MESSAGES" / f"{self.name}.po"


def domains() -> list[Domain]:
    core = Domain(
        "tremplin",
        ROOT / "core" / "tremplin",
        (ROOT / "core" / "tremplin", ROOT / "themes" / "default" / "tremplin_theme_default"),
    )
    plugins = [
        Domain(p.name, p, (p,))
        for p in sorted((ROOT / "plugins").glob("*/tremplin_*"))
        if (p / "__init__.py").is_file()
    ]
    return [core, *plugins]


def _mapping() -> tuple[list, dict]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        return parse_mapping_cfg(f)


def extract(domain: Domain) -> Catalog:
    method_map, options_map = _mapping()
    template = Catalog(domain=domain.name, project="Tremplin", charset="utf-8")
    for source in domain.sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(source), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            if source.name.startswith("tremplin_theme") and not filename.endswith(".html"):
                continue  # the theme's Python (its ROOT) holds no text
            path = (source / filename).relative_to(ROOT).as_posix()
            template.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return template


def _read(path: Path, language: str, domain: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=LOCALES[language], domain=domain)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(
            f,
            catalog,
            width=100,
            no_location=False,
            include_lineno=False,
            omit_header=False,
            sort_output=True,
            ignore_obsolete=True,
        )


def update(domain: Domain) -> list[str]:
    """Extract and merge into each language's ``.po``; returns what changed."""
    template = extract(domain)
    done = []
    for language in LANGUAGES:
        po = domain.po(language)
        if po.is_file():
            catalog = _read(po, language, domain.name)
        else:
            catalog = Catalog(locale=LOCALES[language], domain=domain.name, project="Tremplin")
        before = {m.id for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        after = {m.id for m in catalog if m.id}
        _write(po, catalog)
        added, removed = len(after - before), len(before - after)
        done.append(f"{po.relative_to(ROOT)}: {len(after)} entries (+{added}, -{removed})")
    return done


def compile_all() -> list[str]:
    out = []
    for domain in domains():
        for language in LANGUAGES:
            po = domain.po(language)
            if not po.is_file():
                continue
            catalog = _read(po, language, domain.name)
            with po.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            out.append(str(po.with_suffix(".mo").relative_to(ROOT)))
    return out


def untranslated() -> list[tuple[Path, str, str]]:
    """(catalogue, message, why) for every entry with no translation or marked fuzzy."""
    out = []
    for domain in domains():
        for language in LANGUAGES:
            po = domain.po(language)
            if not po.is_file():
                continue
            for message in _read(po, language, domain.name):
                if not message.id:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.fuzzy:
                    out.append((po, _text(message.id), "fuzzy"))
                elif not all(strings):
                    out.append((po, _text(message.id), "untranslated"))
    return out


def _text(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "all"
    if command in ("extract", "all"):
        for domain in domains():
            for line in update(domain):
                print(line)
    if command in ("compile", "all"):
        print(f"{len(compile_all())} catalogue(s) compiled")
    if command in ("untranslated", "check"):
        left = untranslated()
        for po, text, why in left:
            print(f"{po.relative_to(ROOT)}: [{why}] {text}")
        print(f"{len(left)} entr{'y' if len(left) == 1 else 'ies'} left to translate")
        if command == "check" and left:
            return 1
    if command not in ("extract", "compile", "all", "untranslated", "check"):
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
