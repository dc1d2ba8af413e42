"""Who may see and do what in the housing plugin; the masking of confidential addresses.

For now only the administrator and the head of service see a confidential address (issue 7
will add the programme's staff and allowed partners): :func:`shown_address` is the one
place that decides, and :func:`search_filter` keeps a search from revealing it.
"""

from __future__ import annotations

from typing import Any

from tremplin.api import NotFound, can, check_household, requires
from tremplin_plugins.housing.tables import Dwelling

MASKED_ADDRESS = "Adresse confidentielle"
ADDRESS_ROLES = frozenset({"admin", "head_of_service"})

#: Rent accounts, occupancies, arrears, owners and head leases (``rental`` capability).
RENTAL = requires("rental")
#: The dwellings themselves: stock, status, energy rating (``technical`` capability).
TECHNICAL = requires("technical")


def can_rental(user: Any) -> bool:
    return can(user, "rental")


def can_social(user: Any) -> bool:
    return can(user, "social")


def can_see_confidential(user: Any) -> bool:
    return getattr(user, "role", None) in ADDRESS_ROLES


def shown_address(dwelling: dict[str, Any], user: Any) -> str:
    """The address of ``dwelling`` as ``user`` may see it (masked when confidential)."""
    if dwelling.get("confidential") and not can_see_confidential(user):
        return MASKED_ADDRESS
    parts = [dwelling.get("address") or "", " ".join(
        p for p in (dwelling.get("postcode"), dwelling.get("city")) if p
    )]
    return ", ".join(p.replace("\n", ", ").strip() for p in parts if p.strip())


def mask_rows(rows: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """Rows of dwellings with ``shown_address`` set and the raw address fields removed."""
    out = []
    for row in rows:
        hidden = row.get("confidential") and not can_see_confidential(user)
        clean = {k: v for k, v in row.items()
                 if not (hidden and k in ("address", "postcode", "city", "search_text"))}
        clean["shown_address"] = shown_address(row, user)
        out.append(clean)
    return out


def search_filter(words: list[str], user: Any):
    """Where-clause matching every word; a confidential dwelling matches by reference only
    for those who may not see its address (else a search would reveal where it is)."""
    clause = None
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        match = Dwelling.search_text.like(pattern)
        if not can_see_confidential(user):
            match = ((Dwelling.confidential == False) & match) | (
                (Dwelling.confidential == True)
                & Dwelling.reference.like(pattern.upper())  # references are upper-case
            )
        clause = match if clause is None else clause & match
    return clause


async def visible(request: Any, household_id: int) -> bool:
    """Whether the user may open this household's file (no exception)."""
    try:
        await check_household(request, household_id)
    except NotFound:
        return False
    return True
