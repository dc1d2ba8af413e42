"""What a partner sees of the rent: "à jour" or "en impayé", never an amount.

The status comes from the rent accounts of the household's occupancies in this programme
only (through the housing plugin's public API), so a debt in another programme's dwelling
says nothing to the partner.
"""

from __future__ import annotations

from tremplin.api import PartnerItem
from tremplin_plugins.housing import api as housing

from tremplin_plugins.iml_sublease.workflow import KEY

#: The shareable group the household consents to for the rent status.
RENT_GROUP = "rent_status"


async def _threshold() -> int:
    # The housing plugin may let the association set its threshold; 30 € until then.
    setting = getattr(housing, "arrears_threshold", None)
    return await setting() if setting else housing.ARREARS_THRESHOLD_CENTS


async def rent_status(household_id: int) -> str | None:
    """``"à jour"`` / ``"en impayé"`` for the household's dwelling in this programme;
    ``None`` (nothing shown) when it has never had one."""
    mine = [o for o in await housing.occupancies(household_id) if o.programme == KEY]
    if not mine:
        return None
    owed = sum([await housing.balance(o.id) for o in mine])
    return "en impayé" if owed > await _threshold() else "à jour"


PARTNER_ITEMS = [
    PartnerItem("rent_status", KEY, "Loyer", RENT_GROUP, rent_status, order=10),
]
