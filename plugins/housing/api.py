"""The public API of the ``housing`` plugin: the only module a programme plugin that
declares ``depends_on=("housing",)`` may import from it.

Everything here reads; amounts are integer cents, dates are :class:`datetime.date`.
A balance is what the household owes: rent calls minus housing benefit paid directly minus
the household's payments, counted up to the end of the given day (today by default).

Example, in a programme plugin::

    from tremplin_plugins.housing import api as housing

    occupancy = await housing.current_occupancy(household_id)
    if occupancy and await housing.in_arrears(household_id):
        ...
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tremplin.api import today
from tremplin_plugins.housing.calc import ARREARS_THRESHOLD_CENTS, compute_balance
from tremplin_plugins.housing.ledger import balances_by_household, occupancy_balance
from tremplin_plugins.housing.tables import Occupancy

__all__ = [
    "ARREARS_THRESHOLD_CENTS",
    "OccupancyView",
    "balance",
    "compute_balance",
    "current_occupancy",
    "household_balance",
    "in_arrears",
    "occupancies",
]


@dataclass(frozen=True)
class OccupancyView:
    """A household in a dwelling for a period (``end_date`` inclusive, ``None``: ongoing).

    ``kind`` is ``agreement`` (occupancy agreement in sub-lease), ``lease`` (lease signed
    directly, management mandate) or ``residence`` (residence or boarding-house contract).
    """

    id: int
    household_id: int
    dwelling_id: int
    dwelling_reference: str
    kind: str
    programme: str
    start_date: dt.date
    end_date: dt.date | None
    transferred_from: int | None


_COLUMNS = (
    Occupancy.id, Occupancy.household, Occupancy.dwelling, Occupancy.kind,
    Occupancy.programme, Occupancy.start_date, Occupancy.end_date, Occupancy.transferred_from,
    Occupancy.dwelling.reference.as_alias("dwelling_reference"),
)


def _view(row: dict) -> OccupancyView:
    return OccupancyView(
        id=row["id"], household_id=row["household"], dwelling_id=row["dwelling"],
        dwelling_reference=row["dwelling_reference"], kind=row["kind"],
        programme=row["programme"], start_date=row["start_date"], end_date=row["end_date"],
        transferred_from=row["transferred_from"],
    )


async def occupancies(household_id: int) -> list[OccupancyView]:
    """Every occupancy of the household, oldest first (transfers keep the history)."""
    rows = await Occupancy.select(*_COLUMNS).where(
        Occupancy.household == household_id).order_by(Occupancy.start_date)
    return [_view(r) for r in rows]


async def current_occupancy(
    household_id: int, on: dt.date | None = None
) -> OccupancyView | None:
    """The occupancy of the household on day ``on`` (today), or ``None`` if not housed."""
    on = on or today()
    row = await Occupancy.select(*_COLUMNS).where(
        (Occupancy.household == household_id) & (Occupancy.start_date <= on)
        & (Occupancy.end_date.is_null() | (Occupancy.end_date >= on))
    ).order_by(Occupancy.start_date, ascending=False).first()
    return _view(row) if row else None


async def balance(occupancy_id: int, on: dt.date | None = None) -> int:
    """The balance of one occupancy's rent account at the end of ``on`` (today)."""
    return await occupancy_balance(occupancy_id, on)


async def household_balance(household_id: int, on: dt.date | None = None) -> int:
    """The balance over all the household's occupancies (a debt follows a transfer)."""
    return (await balances_by_household(on, [household_id])).get(household_id, 0)


async def in_arrears(household_id: int, on: dt.date | None = None) -> bool:
    """Whether the household's balance exceeds :data:`ARREARS_THRESHOLD_CENTS`."""
    return await household_balance(household_id, on) > ARREARS_THRESHOLD_CENTS
