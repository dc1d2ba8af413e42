"""What each role may do: capabilities checked on the server by route guards.

| capability | what it opens |
|---|---|
| ``social`` | household files: members, enrolments, follow-up notes, documents |
| ``sensitive`` | fields marked sensitive (health, asylum, violence, judicial) |
| ``rental`` | rent ledger, arrears, owners and head leases |
| ``technical`` | dwellings and maintenance interventions (never social notes) |
| ``share`` | sharing a household with a partner, with consent |
| ``reports`` | activity reports and their exports |
| ``import`` | importing households and enrolments from a spreadsheet |
| ``audit`` | the audit trail |
| ``archive`` | opening archived files, each time with a logged reason |
| ``admin`` | accounts and settings |
| ``partner`` | the partner area (only what is shared with the partner's organisation) |
"""

from __future__ import annotations

from typing import Any

__all__ = ["CAPABILITIES", "can", "roles_holding"]

CAPABILITIES: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "social",
            "sensitive",
            "rental",
            "technical",
            "share",
            "reports",
            "audit",
            "import",
            "admin",
        }
    ),
    "head_of_service": frozenset(
        {"social", "sensitive", "rental", "technical", "share", "reports", "import", "audit"}
    ),
    "social_worker": frozenset({"social", "share", "reports"}),
    "rental_manager": frozenset({"rental", "technical"}),
    "technician": frozenset({"technical"}),
    "dpo": frozenset({"archive", "audit"}),
    "partner": frozenset({"partner"}),
}


def can(user: Any, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` (sensitive data may also be granted per user)."""
    if user is None or not getattr(user, "active", False):
        return False
    if capability in CAPABILITIES.get(user.role, frozenset()):
        return True
    return (
        capability == "sensitive"
        and bool(getattr(user, "can_see_sensitive", False))
        and ("social" in CAPABILITIES.get(user.role, frozenset()))
    )


def roles_holding(*capabilities: str) -> tuple[str, ...]:
    """The roles holding every one of ``capabilities``: the ``roles`` of a menu entry whose
    page is guarded by ``requires(capability)``."""
    return tuple(
        role for role, held in CAPABILITIES.items() if all(c in held for c in capabilities)
    )
