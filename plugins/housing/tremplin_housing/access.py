"""Who may see and do what in the housing plugin; the masking of confidential addresses.

The rule is the core's rule for the contact details of a programme with
``confidential_contacts`` (Alter Logement): a confidential dwelling's address is shown only
to staff assigned *by name* to the programme that uses the dwelling (``User.programmes``),
and each time it is shown to them it is audited (``read_confidential``). A dwelling used by
such a programme is always confidential (set on every write that has the request, see
:func:`protected_programmes`). A confidential dwelling not yet used by any programme is
shown to the administrator and the head of service.

A dwelling's address is also its occupants' address: whatever the dwelling's programme,
while a household whose contact details the user may not see lives in it (the core's access
policy decides, :func:`tremplin.api.hidden_contacts`: the strictest rule of any of the
household's programmes), its address is masked. :func:`protect` marks rows of dwellings
with that (one query per list or document); :func:`shown_address` is the one place that
decides and masks any row :func:`protect` has not seen (fail closed), and
:func:`search_filter` keeps a search from revealing an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from piccolo.custom_types import Combinable

from tremplin.api import (
    Enrolments,
    NotFound,
    app_context,
    audit,
    can,
    check_household,
    hidden_contacts,
    requires,
    today,
)
from tremplin_housing.tables import Dwelling, Occupancy

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


def protected_programmes(connection: Any) -> frozenset[str]:
    """Keys of the enabled programmes whose contacts are confidential (Alter Logement)."""
    programmes = app_context(connection).host.programmes
    return frozenset(k for k, p in programmes.items() if p.confidential_contacts)


def must_be_confidential(connection: Any, programme: str | None) -> bool:
    return bool(programme) and programme in protected_programmes(connection)


def can_see_confidential(user: Any, programme: str | None = "") -> bool:
    """Whether ``user`` may see the address of a confidential dwelling of ``programme``."""
    role = getattr(user, "role", None)
    if role is None or role == "partner":
        return False
    if programme:
        return programme in (getattr(user, "programmes", None) or [])
    return role in ADDRESS_ROLES


#: Set by :func:`protect`: a household whose contact details the user may not see lives there.
OCCUPANT_HIDDEN = "occupant_hidden"
#: Set by :func:`protect`: a household with protected contact details lives there.
OCCUPANT_PROTECTED = "occupant_protected"


async def occupied_by_protected(
    connection: Any, dwelling_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """Dwelling → households living there now (occupancy not ended) that are enrolled in a
    programme protecting contact details; of ``dwelling_ids`` only, or of the whole stock.
    One query, through the occupancy (dwelling, end date) and enrolment programme indexes."""
    protected = sorted(protected_programmes(connection))
    if not protected:
        return {}
    on = today()
    query = Occupancy.select(Occupancy.dwelling, Occupancy.household).where(
        (Occupancy.end_date.is_null() | (Occupancy.end_date >= on))
        & Occupancy.household.is_in(
            Enrolments.select(Enrolments.household).where(Enrolments.programme.is_in(protected))
        )
    )
    if dwelling_ids is not None:
        ids = sorted(set(dwelling_ids))
        if not ids:
            return {}
        query = query.where(Occupancy.dwelling.is_in(ids))
    out: dict[int, set[int]] = {}
    for row in await query:
        out.setdefault(row["dwelling"], set()).add(row["household"])
    return out


async def hidden_dwellings(
    connection: Any, dwelling_ids: Iterable[int] | None = None
) -> tuple[frozenset[int], frozenset[int]]:
    """(protected, hidden): dwellings (of ``dwelling_ids`` or the whole stock) where a
    household with protected contact details lives now, and those of them where one lives
    whose details the current user may not see."""
    occupied = await occupied_by_protected(connection, dwelling_ids)
    if not occupied:
        return frozenset(), frozenset()
    households = set().union(*occupied.values())
    hidden = await hidden_contacts(connection, households)
    return frozenset(occupied), frozenset(d for d, hs in occupied.items() if hs & hidden)


async def protect(connection: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark rows of dwellings (``id``) with their occupants' protection, for
    :func:`shown_address` and :func:`mask_rows` (in place; returns ``rows``)."""
    protected, hidden = await hidden_dwellings(connection, [r["id"] for r in rows if r])
    for row in rows:
        if row:
            row[OCCUPANT_PROTECTED] = row["id"] in protected
            row[OCCUPANT_HIDDEN] = row["id"] in hidden
    return rows


def _allowed(dwelling: dict[str, Any], user: Any) -> bool:
    if OCCUPANT_HIDDEN not in dwelling or dwelling[OCCUPANT_HIDDEN]:
        return False  # its occupants' details are hidden, or nobody checked: masked
    return not dwelling.get("confidential") or can_see_confidential(user, dwelling.get("programme"))


def address_masked(dwelling: dict[str, Any], user: Any) -> bool:
    """Whether ``user`` sees this dwelling's address masked (after :func:`protect`)."""
    return not _allowed(dwelling, user)


def shown_address(dwelling: dict[str, Any], user: Any) -> str:
    """The address of ``dwelling`` as ``user`` may see it (masked when confidential)."""
    if not _allowed(dwelling, user):
        return MASKED_ADDRESS
    parts = [
        dwelling.get("address") or "",
        " ".join(p for p in (dwelling.get("postcode"), dwelling.get("city")) if p),
    ]
    return ", ".join(p.replace("\n", ", ").strip() for p in parts if p.strip())


def mask_rows(rows: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """Rows of dwellings with ``shown_address`` set and the raw address fields removed."""
    out = []
    for row in rows:
        hidden = not _allowed(row, user)
        clean = {
            k: v
            for k, v in row.items()
            if not (hidden and k in ("address", "postcode", "city", "search_text"))
        }
        clean["shown_address"] = shown_address(row, user)
        out.append(clean)
    return out


def _address_visible_clause(user: Any):
    """Where-clause: dwellings whose address ``user`` may see."""
    clause: Combinable = Dwelling.confidential == False  # noqa: E712
    assigned = list(getattr(user, "programmes", None) or [])
    if getattr(user, "role", None) == "partner":
        return clause
    if assigned:
        clause = clause | Dwelling.programme.is_in(assigned)
    if getattr(user, "role", None) in ADDRESS_ROLES:
        clause = clause | (Dwelling.programme == "")
    return clause


def search_filter(words: list[str], user: Any, hidden: Iterable[int] = ()):
    """Where-clause matching every word; a confidential dwelling, or one in ``hidden`` (see
    :func:`hidden_dwellings`), matches by reference only for those who may not see its
    address (else a search would reveal where it is)."""
    clause = None
    seen = _address_visible_clause(user)
    hidden = sorted(hidden)
    if hidden:
        seen = seen & Dwelling.id.not_in(hidden)
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        match = (seen & Dwelling.search_text.like(pattern)) | (
            Dwelling.reference.like(pattern.upper())
        )  # references are upper-case
        clause = match if clause is None else clause & match
    return clause


async def audit_revealed(rows: list[dict[str, Any]], user: Any, address: str = "") -> None:
    """Audit each confidential address shown to ``user`` (fields only, never values)."""
    for row in rows:
        if (row.get("confidential") or row.get(OCCUPANT_PROTECTED)) and _allowed(row, user):
            await audit(
                "read_confidential",
                "housing_dwelling",
                row["id"],
                user_id=getattr(user, "id", None),
                fields=["address"],
                address=address,
            )


async def visible(request: Any, household_id: int) -> bool:
    """Whether the user may open this household's file (no exception)."""
    try:
        await check_household(request, household_id)
    except NotFound:
        return False
    return True
