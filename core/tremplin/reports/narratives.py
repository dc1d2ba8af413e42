"""Narrative texts of report sections, with a warning when a text names a person in the files.

Every chapter's sections can carry a text, saved under the chapter's *narrative key*
(``narrative_key`` of each chapter): a programme's key, the key of a group of programmes
(``groupe-iml_sublease-iml_youth``, from the group's configured members), or
``association`` for the chapters of the whole association (the housing stock).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from tremplin.db import transaction
from tremplin.models import Enrolment, Membership, ReportNarrative
from tremplin.services.clock import now
from tremplin.text import normalise

__all__ = [
    "ASSOCIATION",
    "group_key",
    "load_narratives",
    "named_people",
    "narrative_scope",
    "previous_narratives",
    "save_narrative",
]

MAX_LENGTH = 20_000
#: The narrative key of the whole association's chapters (``scope="association"``).
ASSOCIATION = "association"


def group_key(members: Sequence[str]) -> str:
    """The narrative key of a group of programmes: its configured members (at most 50
    characters, the column's size: a digest beyond)."""
    key = "groupe-" + "-".join(members)
    if len(key) <= 50:
        return key
    return "groupe-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def narrative_scope(
    key: str,
    programmes: Sequence[str],
    groups: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> list[str] | None:
    """The programmes a narrative key covers (a user writes it only if they work in all of
    them), or ``None`` for a key that names no chapter. ``programmes``: the enabled ones."""
    if key in programmes:
        return [key]
    if key == ASSOCIATION:
        return list(programmes)
    for _, members in groups:
        if group_key(members) == key:
            return list(members)
    return None


async def load_all_narratives(programmes: list[str], year: int) -> dict[str, dict[str, str]]:
    """Every saved text of ``programmes`` (narrative keys) for ``year`` in one query:
    key → section → text."""
    rows = await ReportNarrative.select(
        ReportNarrative.programme, ReportNarrative.section, ReportNarrative.text
    ).where(ReportNarrative.programme.is_in(programmes or [""]) & (ReportNarrative.year == year))
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["programme"], {})[r["section"]] = r["text"]
    return out


async def load_narratives(programme: str, year: int) -> dict[str, str]:
    rows = await ReportNarrative.select(ReportNarrative.section, ReportNarrative.text).where(
        (ReportNarrative.programme == programme) & (ReportNarrative.year == year)
    )
    return {r["section"]: r["text"] for r in rows}


async def previous_narratives(programmes: list[str], year: int) -> dict[tuple[str, str], str]:
    """Last year's texts, (programme, section) → text: the draft a section without a text
    of its own starts from (« start from last year's »), in one query."""
    rows = await ReportNarrative.select(
        ReportNarrative.programme, ReportNarrative.section, ReportNarrative.text
    ).where(
        ReportNarrative.programme.is_in(programmes or [""]) & (ReportNarrative.year == year - 1)
    )
    return {(r["programme"], r["section"]): r["text"] for r in rows if r["text"].strip()}


async def save_narrative(
    programme: str, year: int, section: str, text: str, user_id: int | None
) -> None:
    """Insert or replace the draft (autosaved: the last save wins)."""
    text = text[:MAX_LENGTH]
    async with transaction():
        existing = (
            await ReportNarrative.select(ReportNarrative.id)
            .where(
                (ReportNarrative.programme == programme)
                & (ReportNarrative.year == year)
                & (ReportNarrative.section == section)
            )
            .first()
        )
        if existing:
            await ReportNarrative.update(
                {
                    ReportNarrative.text: text,
                    ReportNarrative.updated_by: user_id,
                    ReportNarrative.updated_at: now(),
                }
            ).where(ReportNarrative.id == existing["id"])
        else:
            await ReportNarrative.insert(
                ReportNarrative(
                    programme=programme,
                    year=year,
                    section=section,
                    text=text,
                    updated_by=user_id,
                    updated_at=now(),
                )
            )


async def named_people(programmes: str | Sequence[str], text: str) -> list[str]:
    """Names of people followed in ``programmes`` (one key or several: a group's members,
    the whole association) that appear in ``text`` (accents and case ignored): a narrative
    must stay anonymous, so the editor warns about each."""
    words = set(re.findall(r"[a-z0-9'-]+", normalise(text)))
    if not words:
        return []
    keys = [programmes] if isinstance(programmes, str) else list(programmes)
    people = await Membership.select(
        Membership.person.first_name.as_alias("first"),
        Membership.person.last_name.as_alias("last"),
    ).where(
        Membership.household.is_in(
            Enrolment.select(Enrolment.household).where(Enrolment.programme.is_in(keys or [""]))
        )
    )
    found: list[str] = []
    for p in people:
        last = normalise(p["last"])
        first = normalise(p["first"])
        # A surname alone is enough; a first name alone is too common to warn about.
        if last and len(last) > 2 and all(part in words for part in last.split()):
            label = f"{p['first']} {p['last']}"
        elif (
            first and last and first in words and last[:1] in {w[:1] for w in words if len(w) == 1}
        ):
            label = f"{p['first']} {p['last'][:1]}."
        else:
            continue
        if label not in found:
            found.append(label)
    return found[:20]


def attach(report: dict[str, Any], narratives: dict[str, dict[str, str]]) -> None:
    """Put each saved narrative into its section of a built report (by the chapter's
    ``narrative_key``)."""
    for chapter in report["programmes"]:
        texts = narratives.get(chapter.get("narrative_key") or chapter["key"], {})
        for section in chapter["sections"]:
            section["narrative"] = texts.get(section["key"]) or None
