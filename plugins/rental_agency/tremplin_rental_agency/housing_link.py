"""Every call of the agency to the ``housing`` capability, in one place (the occupancy
rework may change them: only this module follows)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import Actor
from tremplin_housing import api as housing

StockFact = housing.StockFact
DpeChange = housing.DpeChange
ExitInventory = housing.ExitInventory
TYPOLOGIES = housing.TYPOLOGIES
RETURN_REASONS = housing.RETURN_REASONS


async def stock() -> list[housing.StockFact]:
    """The whole stock, with or without a programme."""
    return await housing.stock_facts()


async def dpe_history() -> list[housing.DpeChange]:
    """Every dwelling's energy labels with the day each came into force, oldest first."""
    return await housing.dpe_history()


def dpe_class_on(history: list[housing.DpeChange], on: dt.date) -> dict[int, str]:
    """Each dwelling's label in force on ``on``."""
    return housing.dpe_class_on(history, on)


async def exit_inventories(start: dt.date, end: dt.date) -> list[housing.ExitInventory]:
    """The exit inventories of the period (whole stock) and the works fund's share."""
    return await housing.exit_inventories(start, end)


async def occupied_on(on: dt.date) -> dict[int, housing.OccupancyView]:
    """Ongoing occupancies on ``on``, by dwelling id."""
    return {o.dwelling_id: o for o in await housing.occupancies_on(on)}


async def tenants_between(start: dt.date, end: dt.date) -> list[housing.OccupancyView]:
    """Every occupancy of the stock overlapping the period (the GLA's tenants)."""
    return await housing.occupancies_between(start, end)


async def tenants_on(on: dt.date) -> list[housing.OccupancyView]:
    return await housing.occupancies_on(on)


async def balances(household_ids: list[int], on: dt.date | None = None) -> dict[int, int]:
    return await housing.balances(household_ids, on)


async def arrears_threshold() -> int:
    return await housing.arrears_threshold()


async def sign_lease(
    actor: Actor,
    dwelling_id: int,
    household_id: int,
    signed_on: dt.date,
    rent_cents: int,
    charges_cents: int,
    benefit_cents: int,
    deposit_cents: int,
) -> int:
    """The lease the household signs directly (the agency holds the management mandate):
    the housing occupancy, opened in the caller's transaction. Its id."""
    return await housing.open_lease(
        actor,
        dwelling_id,
        household_id,
        signed_on,
        rent_cents,
        charges_cents,
        benefit_cents,
        deposit_cents,
    )
