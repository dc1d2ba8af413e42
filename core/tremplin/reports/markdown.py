"""The Markdown of report narratives, parsed into plain blocks every renderer draws itself.

Supported: headings (``#`` to ``###``), paragraphs, bulleted (``-``, ``*``) and numbered
(``1.``) lists, **bold** and *italic* (or _italic_). Nothing else is markup: the text of
each run is data, so Typst, HTML or Word special characters in it print literally.

Blocks: ``{"type": "heading", "level": n, "runs": [...]}``, ``{"type": "paragraph",
"runs": [...]}``, ``{"type": "list", "ordered": bool, "items": [[runs], ...]}``; a run is
``{"text": str, "bold": bool, "italic": bool}``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["parse", "plain"]

_INLINE = re.compile(
    r"(\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=\S)([^*]+?)(?<=\S)\*|\b_(?=\S)([^_]+?)(?<=\S)_\b)"
)
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBER = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")


def runs(text: str, bold: bool = False, italic: bool = False) -> list[dict[str, Any]]:
    """Inline runs of ``text`` (bold and italic may nest once)."""
    out: list[dict[str, Any]] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append({"text": text[pos : m.start()], "bold": bold, "italic": italic})
        if m.group(2) is not None:
            out.extend(runs(m.group(2), True, italic))
        else:
            out.extend(runs(m.group(3) or m.group(4), bold, True))
        pos = m.end()
    if pos < len(text):
        out.append({"text": text[pos:], "bold": bold, "italic": italic})
    return [r for r in out if r["text"]]


def parse(text: str | None) -> list[dict[str, Any]]:
    """The blocks of a Markdown narrative (an empty list for no text)."""
    blocks: list[dict[str, Any]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append({"type": "paragraph", "runs": runs(" ".join(paragraph))})
            paragraph.clear()

    for line in (text or "").replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        item = _BULLET.match(line) or _NUMBER.match(line)
        if not stripped:
            flush()
        elif heading:
            flush()
            blocks.append(
                {"type": "heading", "level": len(heading.group(1)), "runs": runs(heading.group(2))}
            )
        elif item:
            flush()
            ordered = bool(_NUMBER.match(line))
            last = blocks[-1] if blocks else None
            if not (last and last["type"] == "list" and last["ordered"] == ordered):
                last = {"type": "list", "ordered": ordered, "items": []}
                blocks.append(last)
            last["items"].append(runs(item.group(1).strip()))
        elif blocks and blocks[-1]["type"] == "list" and line[:1].isspace() and not paragraph:
            blocks[-1]["items"][-1].extend(runs(" " + stripped))  # a wrapped list item
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def plain(blocks: list[dict[str, Any]]) -> str:
    """The text of the blocks without any mark (for a search or a length check)."""
    parts: list[str] = []
    for b in blocks:
        if b["type"] == "list":
            parts.extend("".join(r["text"] for r in item) for item in b["items"])
        else:
            parts.append("".join(r["text"] for r in b["runs"]))
    return "\n".join(parts)
