"""What a partner sees of the rent: "à jour" or "en impayé", never an amount.

The status comes from the rent accounts of the household's occupancies in this programme
only (through the housing plugin's public API), so a debt in another programme's dwelling
says nothing to the partner.
"""

from __future__ import annotations

from tremplin.api import PartnerItem
from tremplin_housing import api as housing
from tremplin_iml_sublease.workflow import KEY

#: The shareable group the household consents to for the rent status.
RENT_GROUP = "rent_status"


async def rent_status(household_id: int) -> str | None:
    """``"à jour"`` / ``"en impayé"`` for the household's dwelling in this programme;
    ``None`` (nothing shown) when it has never had one."""
    return await housing.rent_status(household_id, KEY)


PARTNER_ITEMS = [
    PartnerItem("rent_status", KEY, "Loyer", RENT_GROUP, rent_status, order=10),
]
