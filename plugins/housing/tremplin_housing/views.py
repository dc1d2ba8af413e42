"""What the housing pages show, read in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import Households, actor, current_user, normalise, programme_filter, today
from tremplin_housing.access import (
    audit_revealed,
    can_rental,
    hidden_dwellings,
    mask_rows,
    protect,
    search_filter,
    shown_address,
    visible,
)
from tremplin_housing.calc import dpe_alerts
from tremplin_housing.claims import claims_of
from tremplin_housing.common import require
from tremplin_housing.ledger import statement, terms_history
from tremplin_housing.list_sorts import DWELLING_SORTS, cursor_of, sorted_page
from tremplin_housing.maintenance import interventions_of
from tremplin_housing.stock import vacancy_rows
from tremplin_housing.tables import (
    DepositInstalment,
    Dwelling,
    HeadLease,
    Inventory,
    Occupancy,
    Owner,
    Vacancy,
)

PAGE_SIZE = 50
FILTERS = ("status", "typology", "programme", "dpe_class")
#: Filters besides the equal-to ones: « mes logements » (``mine=1``: the dwellings the user
#: recorded) and the capture period (``du``/``au``, ISO dates already checked by the page).
OTHER_FILTERS = ("mine", "du", "au")


async def dwelling_list(
    filters: dict[str, str],
    q: str,
    after: int | str | None,
    user: Any,
    limit: int = PAGE_SIZE,
    client: str = "",
    connection: Any = None,
    sort: str = "reference",
) -> tuple[list[dict[str, Any]], int | str | None]:
    """A page of dwellings in ``sort`` order (:data:`DWELLING_SORTS`, keyset on the sorted
    column and the id), filtered and searched; confidential addresses masked for ``user``.
    Returns rows and the next cursor.

    With the request (``connection``), a user restricted to programmes lists only theirs
    (and dwellings of no programme yet), and the address of a dwelling where a household
    lives whose contact details the user may not see is masked and not searchable; without
    it every address is masked (nobody checked its occupants)."""
    query = Dwelling.select(
        Dwelling.id,
        Dwelling.reference,
        Dwelling.address,
        Dwelling.postcode,
        Dwelling.city,
        Dwelling.typology,
        Dwelling.surface_m2,
        Dwelling.status,
        Dwelling.programme,
        Dwelling.dpe_class,
        Dwelling.dpe_date,
        Dwelling.confidential,
    )
    for name in FILTERS:
        if filters.get(name):
            query = query.where(getattr(Dwelling, name) == filters[name])
    if filters.get("mine") == "1":
        query = query.where(Dwelling.created_by == getattr(user, "id", None))
    if filters.get("du"):
        query = query.where(Dwelling.captured_on >= dt.date.fromisoformat(filters["du"]))
    if filters.get("au"):
        query = query.where(Dwelling.captured_on <= dt.date.fromisoformat(filters["au"]))
    scope = programme_filter(connection, Dwelling.programme) if connection else None
    if scope is not None:
        query = query.where(scope)
    words = normalise(q).split()[:5]
    if words:
        hidden = (await hidden_dwellings(connection))[1] if connection else ()
        query = query.where(search_filter(words, user, hidden))
    order = DWELLING_SORTS.get(sort, DWELLING_SORTS["reference"])
    rows = await sorted_page(query, Dwelling, order, after, limit)
    next_cursor = cursor_of(rows[limit - 1], order) if len(rows) > limit else None
    on = today()
    if connection is not None:
        await protect(connection, rows[:limit])
    out = mask_rows(rows[:limit], user)
    await audit_revealed(rows[:limit], user, client)
    for row in out:
        row["alerts"] = dpe_alerts(row["dpe_class"], row["dpe_date"], on)
    return out, next_cursor


async def owners() -> list[dict[str, Any]]:
    return await Owner.select().order_by(Owner.name).order_by(Owner.id)


async def get_dwelling(dwelling_id: int) -> dict[str, Any]:
    return require(
        await Dwelling.select(
            *Dwelling.all_columns(),
            Dwelling.owner.name.as_alias("owner_name"),
            Dwelling.owner.phone.as_alias("owner_phone"),
        )
        .where(Dwelling.id == dwelling_id)
        .first(),
        dwelling_id,
    )


async def _households(request: Any, ids: set[int]) -> dict[int, dict[str, Any] | None]:
    """Names of the households the user may open; ``None`` for the others."""
    rows = {
        r["id"]: r
        for r in await Households.select(
            Households.id, Households.name, Households.reference
        ).where(Households.id.is_in(list(ids) or [0]))
    }
    return {h: (rows.get(h) if await visible(request, h) else None) for h in ids}


async def occupancy_details(request: Any, occupancies: list[dict[str, Any]]) -> None:
    """Add to each occupancy: household (if visible), terms, ledger, balance, deposit."""
    ids = [o["id"] for o in occupancies]
    households = await _households(request, {o["household"] for o in occupancies})
    history = await terms_history(ids)
    deposits: dict[int, list] = {i: [] for i in ids}
    for d in (
        await DepositInstalment.select()
        .where(DepositInstalment.occupancy.is_in(ids or [0]))
        .order_by(DepositInstalment.due_on)
    ):
        deposits[d["occupancy"]].append(d)
    inventories: dict[int, list] = {i: [] for i in ids}
    for i in (
        await Inventory.select()
        .where(Inventory.occupancy.is_in(ids or [0]))
        .order_by(Inventory.done_on)
    ):
        inventories[i["occupancy"]].append(i)
    on = today()
    for o in occupancies:
        o["household_row"] = households.get(o["household"])
        o["terms"] = history.get(o["id"], [])
        o["entries"] = await statement(o["id"])
        past = [e for e in o["entries"] if e["entry_date"] <= on]
        o["balance"] = past[-1]["balance"] if past else 0
        o["deposits"] = deposits[o["id"]]
        o["inventories"] = inventories[o["id"]]
        o["insurance_expired"] = bool(o["insurance_expires_on"] and o["insurance_expires_on"] < on)


async def dwelling_page(request: Any, dwelling_id: int) -> dict[str, Any]:
    user = current_user(request)
    dwelling = (await protect(request, [await get_dwelling(dwelling_id)]))[0]
    dwelling["shown_address"] = shown_address(dwelling, user)
    await audit_revealed([dwelling], user, actor(request).address)
    context: dict[str, Any] = {
        "dwelling": dwelling,
        "alerts": dpe_alerts(dwelling["dpe_class"], dwelling["dpe_date"], today()),
        "rental": can_rental(user),
    }
    occupancies = (
        await Occupancy.select()
        .where(Occupancy.dwelling == dwelling_id)
        .order_by(Occupancy.start_date, ascending=False)
    )
    if context["rental"]:
        await occupancy_details(request, occupancies)
        leases = (
            await HeadLease.select()
            .where(HeadLease.dwelling == dwelling_id)
            .order_by(HeadLease.start_date)
        )
        vacancies = (
            await Vacancy.select()
            .where(Vacancy.dwelling == dwelling_id)
            .order_by(Vacancy.start_date)
        )
        context.update(leases=leases, vacancies=vacancy_rows(vacancies, leases, today()))
    context["occupancies"] = occupancies
    context["interventions"] = await interventions_of(dwelling_id)
    context["claims"] = await claims_of(dwelling_id)
    return context
