"""Who may see and do what in the housing plugin; the masking of confidential addresses.

The rule is the core's rule for the contact details of a programme with
``confidential_contacts`` (Alter Logement): a confidential dwelling's address is shown only
to staff assigned *by name* to the programme that uses the dwelling (``User.programmes``),
and each time it is shown to them it is audited (``read_confidential``). A dwelling used by
such a programme is always confidential (set on every write that has the request, see
:func:`protected_programmes`). A confidential dwelling not yet used by any programme is
shown to the administrator and the head of service. :func:`shown_address` is the one place
that decides, and :func:`search_filter` keeps a search from revealing an address.
"""

from __future__ import annotations

from typing import Any

from tremplin.api import NotFound, app_context, audit, can, check_household, requires
from tremplin_housing.tables import Dwelling

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


def _allowed(dwelling: dict[str, Any], user: Any) -> bool:
    return not dwelling.get("confidential") or can_see_confidential(user, dwelling.get("programme"))


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
    clause = Dwelling.confidential == False  # noqa: E712
    assigned = list(getattr(user, "programmes", None) or [])
    if getattr(user, "role", None) == "partner":
        return clause
    if assigned:
        clause = clause | Dwelling.programme.is_in(assigned)
    if getattr(user, "role", None) in ADDRESS_ROLES:
        clause = clause | (Dwelling.programme == "")
    return clause


def search_filter(words: list[str], user: Any):
    """Where-clause matching every word; a confidential dwelling matches by reference only
    for those who may not see its address (else a search would reveal where it is)."""
    clause = None
    seen = _address_visible_clause(user)
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
        if row.get("confidential") and _allowed(row, user):
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
