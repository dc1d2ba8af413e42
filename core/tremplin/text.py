"""Text helpers shared by search and display."""

import unicodedata

__all__ = ["normalise"]


def normalise(*parts: str | None) -> str:
    """Lower-case, accent-free, single-spaced text: ``"Éléonore  MARTIN"`` → ``"eleonore martin"``.

    Stored in search columns so that search folds case and accents identically on SQLite
    (whose ``LIKE`` folds ASCII only) and PostgreSQL.
    """
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("œ", "oe").replace("æ", "ae").split())
