"""The conflict shown to the second of two writers: the saved version next to their input."""

from __future__ import annotations

from typing import Any

from tremplin.types import Field, FieldError

__all__ = ["conflict_rows"]


def _typed_label(field: Field, raw: Any) -> str:
    """What the user typed, in the words the saved version is shown in."""
    if raw in (None, "", []):
        return ""
    try:
        return field.label_of(field.parse(raw))
    except (FieldError, ValueError, TypeError):
        return str(raw)


def conflict_rows(
    fields: list[Field] | tuple[Field, ...], stored: dict[str, Any], typed: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per field: label, saved value, typed value and whether they differ."""
    rows = []
    for f in fields:
        theirs = f.label_of(stored.get(f.name)) if stored.get(f.name) not in (None, "") else ""
        if isinstance(stored.get(f.name), int | float) and f.kind not in ("money", "choice"):
            theirs = str(stored[f.name])
        yours = _typed_label(f, typed.get(f.name))
        rows.append(
            {"label": f.label, "theirs": theirs, "yours": yours, "differs": theirs != yours}
        )
    return rows
