"""Houses, units and hosts: the services behind the pages (every write audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Choice,
    ChoiceContext,
    Enrolments,
    Field,
    FormErrors,
    Households,
    NotFound,
    Users,
    audit,
    now,
    resolve_choices,
    transaction,
    validate,
)
from tremplin_boarding_house.tables import Host, House, Unit
from tremplin_boarding_house.workflow import KEY, TYPOLOGIES
from tremplin_housing import api as housing

HOUSE_FIELDS = (
    Field("name", N_("Nom de la maison"), required=True, max_length=120),
    Field("address", N_("Adresse"), kind="textarea"),
    Field("opened_on", N_("Date d'ouverture"), kind="date"),
    Field("collective_spaces", N_("Espaces collectifs (cuisine, salon, jardin…)"), kind="textarea"),
)


async def stock_dwellings(_: ChoiceContext) -> list[Choice]:
    """Dwellings of the housing stock a unit can be tied to: captured and not yet tied to
    another unit of a house."""
    taken = {
        r["dwelling_id"]
        for r in await Unit.select(Unit.dwelling_id).where(Unit.dwelling_id.is_not_null())
    }
    return await housing.dwelling_choices(taken)


UNIT_FIELDS = (
    Field("label", N_("Logement (numéro ou nom)"), required=True, max_length=40),
    Field("typology", N_("Typologie"), kind="choice", required=True, choices=TYPOLOGIES),
    Field(
        "dwelling_id",
        N_("Logement du parc (module Logements)"),
        kind="int",
        choices_from=stock_dwellings,
        help=N_("Facultatif : relie le logement à son compte de loyer."),
    ),
)
HOST_FIELDS_BASE = (Field("start_date", N_("Hôte depuis le"), kind="date", required=True),)


async def _audit(actor: Actor, action: str, kind: str, object_id: int, fields: Any) -> None:
    await audit(
        action, kind, object_id, user_id=actor.user_id, fields=fields, address=actor.address
    )


async def create_house(actor: Actor, raw: dict[str, Any]) -> int:
    values = validate(HOUSE_FIELDS, raw)
    async with transaction():
        row = await House.insert(
            House(
                name=values["name"],
                address=values["address"] or "",
                opened_on=dt.date.fromisoformat(values["opened_on"])
                if values["opened_on"]
                else None,
                collective_spaces=values["collective_spaces"] or "",
                created_at=now(),
            )
        ).returning(House.id)
        await _audit(actor, "create", "boarding_house_house", row[0]["id"], values.keys())
    return row[0]["id"]


async def get_house(house_id: int) -> dict[str, Any]:
    row = await House.select().where(House.id == house_id).first()
    if row is None:
        raise NotFound(house_id)
    return row


async def add_unit(actor: Actor, house_id: int, raw: dict[str, Any]) -> int:
    values = validate(await resolve_choices(UNIT_FIELDS), raw)
    async with transaction():
        await get_house(house_id)
        if await Unit.exists().where((Unit.house == house_id) & (Unit.label == values["label"])):
            raise FormErrors({"label": "un logement de cette maison porte déjà ce nom"})
        row = await Unit.insert(
            Unit(
                house=house_id,
                label=values["label"],
                typology=values["typology"],
                dwelling_id=values["dwelling_id"],
                created_at=now(),
            )
        ).returning(Unit.id)
        await _audit(actor, "create", "boarding_house_unit", row[0]["id"], values.keys())
    return row[0]["id"]


async def staff_choices() -> tuple[Choice, ...]:
    """Active staff accounts that may host a house (partners never do)."""
    rows = (
        await Users.select(Users.id, Users.full_name)
        .where(
            (Users.role != "partner") & (Users.active == True)  # noqa: E712 (Piccolo needs ==)
        )
        .order_by(Users.full_name)
    )
    return tuple(Choice(str(r["id"]), r["full_name"]) for r in rows)


def host_fields(choices: tuple[Choice, ...]) -> tuple[Field, ...]:
    return (
        Field("user", N_("Hôte"), kind="choice", required=True, choices=choices),
        *HOST_FIELDS_BASE,
    )


async def assign_host(actor: Actor, house_id: int, raw: dict[str, Any]) -> int:
    values = validate(host_fields(await staff_choices()), raw)
    async with transaction():
        await get_house(house_id)
        user_id = int(values["user"])
        if await Host.exists().where(
            (Host.house == house_id) & (Host.user == user_id) & Host.end_date.is_null()
        ):
            raise FormErrors({"user": "cette personne est déjà hôte de la maison"})
        row = await Host.insert(
            Host(
                house=house_id,
                user=user_id,
                start_date=dt.date.fromisoformat(values["start_date"]),
                created_at=now(),
            )
        ).returning(Host.id)
        await _audit(actor, "create", "boarding_house_host", row[0]["id"], values.keys())
    return row[0]["id"]


async def units_of(house_id: int) -> list[dict[str, Any]]:
    return await Unit.select().where(Unit.house == house_id).order_by(Unit.label)


async def hosts_of(house_id: int) -> list[dict[str, Any]]:
    return (
        await Host.select(
            Host.id,
            Host.start_date,
            Host.end_date,
            Host.user.full_name.as_alias("name"),
        )
        .where((Host.house == house_id) & Host.end_date.is_null())
        .order_by(Host.start_date)
    )


async def _housed_enrolments(scope: Any = None) -> list[dict[str, Any]]:
    query = Enrolments.select(
        Enrolments.id,
        Enrolments.household,
        Enrolments.entry_date,
        Enrolments.exit_date,
        Enrolments.data,
    ).where((Enrolments.programme == KEY) & (Enrolments.state == "housed"))
    if scope is not None:
        query = query.where(scope)
    return await query.output(load_json=True)


async def residents(house_id: int | None = None, scope: Any = None) -> list[dict[str, Any]]:
    """Current residents of every house (or of ``house_id``), house by house (by name) then
    unit: household, name, house, unit, entry date. Three queries whatever the number of
    houses; ``scope``: a where-clause on ``Enrolments.household`` keeping the households
    the user may see (:func:`tremplin.api.household_filter`)."""
    query = Unit.select(*Unit.all_columns(), Unit.house.name.as_alias("house_name")).order_by(
        Unit.house.name, Unit.house, Unit.label
    )
    if house_id is not None:
        query = query.where(Unit.house == house_id)
    units = {u["id"]: u for u in await query}
    rows = [
        e
        for e in await _housed_enrolments(scope)
        if int((e["data"] or {}).get("unit") or 0) in units
    ]
    names = {
        h["id"]: h["name"]
        for h in await Households.select(Households.id, Households.name).where(
            Households.id.is_in([e["household"] for e in rows] or [-1])
        )
    }
    order = {unit_id: index for index, unit_id in enumerate(units)}
    rows.sort(key=lambda e: order[int(e["data"]["unit"])])
    return [
        {
            "household": e["household"],
            "enrolment": e["id"],
            "name": names.get(e["household"], ""),
            "house": units[int(e["data"]["unit"])]["house_name"],
            "unit": units[int(e["data"]["unit"])],
            "entry_date": e["entry_date"],
        }
        for e in rows
    ]


async def residents_of(house_id: int) -> list[dict[str, Any]]:
    """Current residents of the house with their unit: household, name, unit, entry date."""
    return await residents(house_id)


async def free_unit_choices(
    enrolment_id: int | None, today: dt.date, *, keep_own: bool = True
) -> tuple[Choice, ...]:
    """The units no other resident lives in, "house — unit (typology)", by house and label.

    The unit of ``enrolment_id`` itself is offered when ``keep_own`` (an entry), left out
    otherwise (a move goes elsewhere). The stored value stays the unit's id.
    """
    occupied: dict[int, int] = {
        int((e["data"] or {}).get("unit") or 0): e["id"] for e in await _housed_enrolments()
    }
    rows = await Unit.select(
        Unit.id,
        Unit.label,
        Unit.typology,
        Unit.house.name.as_alias("house_name"),
        Unit.house.opened_on.as_alias("opened_on"),
    ).order_by(Unit.house.name, Unit.label)
    typologies = {c.value: c.label for c in TYPOLOGIES}
    out = []
    for u in rows:
        holder = occupied.get(u["id"])
        if holder is not None and (holder != enrolment_id or not keep_own):
            continue
        label = (
            f"{u['house_name']} — logement {u['label']} "
            f"({typologies.get(u['typology'], u['typology'])})"
        )
        if u["opened_on"] is not None and u["opened_on"] > today:
            label += f", ouverture le {u['opened_on'].strftime('%d/%m/%Y')}"
        out.append(Choice(str(u["id"]), label))
    return tuple(out)


async def unit_problem(unit_id: int, day: dt.date, enrolment_id: int) -> str | None:
    """Why a resident cannot move into ``unit_id`` on ``day`` (``None``: they can)."""
    unit = (
        await Unit.select(Unit.id, Unit.house.opened_on.as_alias("opened_on"))
        .where(Unit.id == unit_id)
        .first()
    )
    if unit is None:
        return "Aucun logement de pension de famille ne porte ce numéro."
    if unit["opened_on"] is not None and day < unit["opened_on"]:
        return "La maison n'est pas encore ouverte à cette date."
    for e in await _housed_enrolments():
        if e["id"] != enrolment_id and int((e["data"] or {}).get("unit") or 0) == unit_id:
            return "Ce logement est déjà occupé par un autre résident."
    return None


async def unit_of_enrolment(data: dict[str, Any]) -> dict[str, Any] | None:
    unit_id = int((data or {}).get("unit") or 0)
    if not unit_id:
        return None
    return (
        await Unit.select(
            Unit.id,
            Unit.label,
            Unit.typology,
            Unit.dwelling_id,
            Unit.house,
            Unit.house.name.as_alias("house_name"),
        )
        .where(Unit.id == unit_id)
        .first()
    )


#: Sorts of the houses list, each on an index (migration boarding_house_0003), keyset on
#: (column, id): by name, or by opening date (the houses with no date last).
HOUSE_SORTS = {"nom": "Nom", "ouverture": "Date d'ouverture"}
HOUSE_PAGE = 50


def _house_cursor(cursor: str | None) -> tuple[str, int] | None:
    value, sep, ident = str(cursor or "")[:160].rpartition("~")
    if not sep or not ident.isdigit() or len(ident) > 12:
        return None
    return value, int(ident)


async def house_list(
    sort: str = "nom",
    cursor: str | None = None,
    limit: int = HOUSE_PAGE,
    *,
    host_user: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of houses in ``sort`` order (:data:`HOUSE_SORTS`) after ``cursor``, with their
    units by typology, their current residents and hosts counted (a fixed number of queries
    per page), and the next page's cursor (``None`` after the last).

    ``host_user``: only the houses this user currently hosts (« mes maisons »); ``since`` /
    ``until``: only the houses opened in that period."""

    def select() -> Any:  # a new query each time: Piccolo's ``where`` changes the query
        query = House.select(House.id, House.name, House.opened_on)
        if host_user is not None:
            query = query.where(
                House.id.is_in(
                    Host.select(Host.house).where(
                        (Host.user == host_user) & Host.end_date.is_null()
                    )
                )
            )
        if since is not None:
            query = query.where(House.opened_on >= since)
        if until is not None:
            query = query.where(House.opened_on <= until)
        return query

    after = _house_cursor(cursor)
    if sort == "ouverture":
        rows = await _by_opening(select, after, limit)
    else:
        query = select()
        if after is not None:
            name, ident = after
            query = query.where((House.name > name) | ((House.name == name) & (House.id > ident)))
        rows = await query.order_by(House.name, House.id).limit(limit + 1)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        value = last["name"] if sort != "ouverture" else last["opened_on"] or ""
        next_cursor = f"{value}~{last['id']}"
    await _counts(page)
    return page, next_cursor


async def _by_opening(select: Any, after: tuple[str, int] | None, limit: int) -> list[dict]:
    """Houses by opening date then id, those with no date after them (by id): two keyset
    reads, the same order on SQLite and PostgreSQL (which sort NULLs differently)."""
    rows: list[dict[str, Any]] = []
    if after is None or after[0]:
        dated = select().where(House.opened_on.is_not_null())
        if after is not None:
            day, ident = dt.date.fromisoformat(after[0][:10]), after[1]
            dated = dated.where(
                (House.opened_on > day) | ((House.opened_on == day) & (House.id > ident))
            )
        rows = await dated.order_by(House.opened_on, House.id).limit(limit + 1)
        after = None
    if len(rows) <= limit:
        undated = select().where(House.opened_on.is_null())
        if after is not None:
            undated = undated.where(House.id > after[1])
        rows += await undated.order_by(House.id).limit(limit + 1 - len(rows))
    return rows


async def _counts(houses: list[dict[str, Any]]) -> None:
    """Each house's units by typology, current residents and hosts (in place)."""
    ids = [h["id"] for h in houses]
    if not ids:
        return
    units = await Unit.select(Unit.id, Unit.house, Unit.typology).where(Unit.house.is_in(ids))
    house_of = {u["id"]: u["house"] for u in units}
    hosts = await Host.select(Host.house, Host.user.full_name.as_alias("name")).where(
        Host.house.is_in(ids) & Host.end_date.is_null()
    )
    for h in houses:
        h["units"] = {}
        h["residents"] = 0
        h["hosts"] = []
    by_id = {h["id"]: h for h in houses}
    for u in units:
        counts = by_id[u["house"]]["units"]
        counts[u["typology"]] = counts.get(u["typology"], 0) + 1
    for e in await _housed_enrolments():
        house = house_of.get(int((e["data"] or {}).get("unit") or 0))
        if house is not None:
            by_id[house]["residents"] += 1
    for r in hosts:
        by_id[r["house"]]["hosts"].append(r["name"])
    for h in houses:
        h["unit_count"] = sum(h["units"].values())
        h["units_label"] = ", ".join(f"{n} {t}" for t, n in sorted(h["units"].items()))
