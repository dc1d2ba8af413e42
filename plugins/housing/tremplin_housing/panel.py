"""The block shown on the household page: current dwelling, balance, arrears."""

from __future__ import annotations

from typing import Any

from tremplin.api import today
from tremplin_housing import api
from tremplin_housing.access import audit_revealed, can_rental, protect, shown_address
from tremplin_housing.settings import arrears_threshold
from tremplin_housing.tables import Dwelling, Occupancy


async def household_panel(
    household_id: int, user: Any, connection: Any = None
) -> dict[str, Any] | None:
    """``None`` (no block) for a household that never had a dwelling through the plugin."""
    history = await api.occupancies(household_id)
    if not history:
        return None
    current = await api.current_occupancy(household_id)
    balance = await api.household_balance(household_id)
    threshold = await arrears_threshold()
    plans = await api.repayment_plans(household_id)
    context: dict[str, Any] = {
        "plan": plans[-1] if plans else None,
        "current": current,
        "history": history,
        "balance": balance,
        "in_arrears": balance > threshold,
        "threshold": threshold,
        "rental": can_rental(user),
    }
    if current is not None:
        dwelling = (
            await Dwelling.select(
                Dwelling.id,
                Dwelling.address,
                Dwelling.postcode,
                Dwelling.city,
                Dwelling.confidential,
                Dwelling.programme,
                Dwelling.typology,
            )
            .where(Dwelling.id == current.dwelling_id)
            .first()
        )
        assert dwelling is not None  # the current occupancy's dwelling (foreign key)
        if connection is not None:
            await protect(connection, [dwelling])
        await audit_revealed([dwelling], user)
        insurance = (
            await Occupancy.select(Occupancy.insurance_expires_on)
            .where(Occupancy.id == current.id)
            .first()
        )
        assert insurance is not None  # the current occupancy, read just above
        expires = insurance["insurance_expires_on"]
        context.update(
            address=shown_address(dwelling, user),
            typology=dwelling["typology"],
            insurance_expires_on=expires,
            insurance_expired=expires is None or expires < today(),
        )
    return context
