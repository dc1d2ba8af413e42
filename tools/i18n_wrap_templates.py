"""Wrap the French text of the Jinja templates in gettext calls: ``<h1>Ménages</h1>`` →
``<h1>{{ _("Ménages") }}</h1>``.

Idempotent: text already inside ``{{ … }}`` or ``{% … %}`` is code, so a wrapped text is
never wrapped again and the script can be re-run on a newer tree (after a merge: take the
other side's templates, re-run, then ``make i18n``). What it wraps:

- each run of text between two tags or Jinja constructs that holds a letter (the run's
  surrounding spaces and punctuation-only runs stay as they are; inner white space is
  folded to one space, which HTML shows the same);
- the values of the attributes people read (``title``, ``placeholder``, ``aria-label``,
  ``alt``, ``label``, ``hx-confirm``, ``data-confirm``) when they hold no Jinja;
- ``{% set name = "…" %}`` with a plain string.

``<script>``, ``<style>``, ``<pre>``, ``<code>`` and HTML comments are left alone, and so is
a template holding ``{# i18n: skip #}``. ``%`` is written ``%%`` (newstyle gettext formats
every message).

Usage: ``python tools/i18n_wrap_templates.py [--check] [files or folders…]`` (default:
the default theme's and every plugin's templates). ``--check`` writes nothing and exits 1
when something is left to wrap.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "hx-confirm", "data-confirm"}
RAW_ELEMENTS = {"script", "style", "pre", "code"}
SKIP_MARK = "{# i18n: skip #}"
_JINJA_OPEN = ("{{", "{%", "{#")
_JINJA_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_SET = re.compile(r"""(\{%-?\s*set\s+\w+\s*=\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')(\s*-?%\})""")
_WORD = re.compile(r"[A-Za-zÀ-ÿŒœ]")


def _message(text: str) -> str:
    """The gettext call of ``text`` (inner white space folded, ``%`` doubled)."""
    folded = " ".join(text.split()).replace("%", "%%")
    quoted = folded.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{{{ _("{quoted}") }}}}'


def _wrap_run(text: str) -> str:
    if not _WORD.search(text) or not text.strip():
        return text
    stripped = text.strip()
    # Keep leading/trailing spaces and a leading or trailing run of pure punctuation that
    # glues to a neighbour (« : », « · », « — », « ( », « ) »).
    head = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    lead = re.match(r"^(?:[·—–:;,()\[\]/|•→←›‹«»!?.…\s-]|&[a-z]+;|&#\d+;)+", stripped)
    trail = re.search(r"(?:[·—–;,(\[/|•→←›‹«\s-]|&[a-z]+;|&#\d+;)+$", stripped)
    _entities = re.compile(r"&[a-z]+;|&#\d+;")
    pre = lead.group(0) if lead and not _WORD.search(_entities.sub("", lead.group(0))) else ""
    body = stripped[len(pre) :]
    post = trail.group(0) if trail and len(trail.group(0)) < len(body) else ""
    body = body[: len(body) - len(post)] if post else body
    if len(_WORD.findall(body)) < 2:
        return text
    if re.fullmatch(r"&[a-zA-Z]+;|&#\d+;", body):
        return text
    return head + pre + _message(body) + post + tail


def wrap(source: str) -> str:
    if SKIP_MARK in source:
        return source
    source = _SET.sub(
        lambda m: (
            m.group(1) + f"_({m.group(2)})" + m.group(3) if _WORD.search(m.group(2)) else m.group(0)
        ),
        source,
    )
    out: list[str] = []
    i, n = 0, len(source)
    text_start = 0

    def flush(end: int) -> None:
        nonlocal text_start
        if end > text_start:
            out.append(_wrap_run(source[text_start:end]))
        text_start = end

    while i < n:
        two = source[i : i + 2]
        if two in _JINJA_OPEN:
            flush(i)
            end = source.find(_JINJA_CLOSE[two], i + 2)
            end = n if end < 0 else end + 2
            out.append(source[i:end])
            i = text_start = end
            continue
        if source.startswith("<!", i) and not source.startswith("<!--", i):
            flush(i)  # <!doctype html>, <![CDATA[…
            end = source.find(">", i)
            end = n if end < 0 else end + 1
            out.append(source[i:end])
            i = text_start = end
            continue
        if source.startswith("<!--", i):
            flush(i)
            end = source.find("-->", i)
            end = n if end < 0 else end + 3
            out.append(source[i:end])
            i = text_start = end
            continue
        if source[i] == "<" and re.match(r"</?[A-Za-z]", source[i : i + 3]):
            flush(i)
            end, tag_text, name = _tag(source, i)
            out.append(tag_text)
            i = text_start = end
            if name in RAW_ELEMENTS:
                close = re.compile(rf"</{name}\s*>", re.I).search(source, i)
                stop = close.start() if close else n
                out.append(source[i:stop])
                i = text_start = stop
            continue
        i += 1
    flush(n)
    return "".join(out)


def _tag(source: str, start: int) -> tuple[int, str, str]:
    """The tag starting at ``start``: (end, its text with readable attributes wrapped, its
    name when it opens a raw element)."""
    match = re.match(r"<(/?)([A-Za-z][\w-]*)", source[start:])
    assert match
    closing, name = match.group(1), match.group(2).lower()
    i = start + match.end()
    out = [source[start:i]]
    n = len(source)
    while i < n:
        two = source[i : i + 2]
        if two in _JINJA_OPEN:
            end = source.find(_JINJA_CLOSE[two], i + 2)
            end = n if end < 0 else end + 2
            out.append(source[i:end])
            i = end
            continue
        if source[i] == ">":
            out.append(">")
            return i + 1, "".join(out), ("" if closing else name)
        attr = re.match(r"""([\w:-]+)(\s*=\s*)(["'])""", source[i:])
        if attr:
            quote = attr.group(3)
            value_start = i + attr.end()
            value_end = _value_end(source, value_start, quote)
            value = source[value_start:value_end]
            out.append(source[i:value_start])
            if (
                attr.group(1).lower() in ATTRIBUTES
                and "{" not in value
                and _WORD.search(value)
                and quote == '"'
            ):
                out.append(_message(value))
            else:
                out.append(value)
            out.append(quote)
            i = value_end + 1
            continue
        out.append(source[i])
        i += 1
    return n, "".join(out), ""


def _value_end(source: str, i: int, quote: str) -> int:
    """Where the attribute value starting at ``i`` ends (Jinja inside skipped)."""
    n = len(source)
    while i < n:
        two = source[i : i + 2]
        if two in _JINJA_OPEN:
            end = source.find(_JINJA_CLOSE[two], i + 2)
            i = n if end < 0 else end + 2
            continue
        if source[i] == quote:
            return i
        i += 1
    return n


def files(paths: list[str]) -> list[Path]:
    roots = [Path(p) for p in paths] or [
        ROOT / "themes" / "default" / "tremplin_theme_default" / "templates",
        *sorted((ROOT / "plugins").glob("*/tremplin_*/templates")),
    ]
    out: list[Path] = []
    for root in roots:
        out.extend([root] if root.is_file() else sorted(root.rglob("*.html")))
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if not a.startswith("--")]
    changed = 0
    for path in files(paths):
        source = path.read_text(encoding="utf-8")
        new = wrap(source)
        if new != source:
            changed += 1
            print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: wrapped")
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and changed:
        print(f"{changed} template(s) with text left to wrap: run tools/i18n_wrap_templates.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
