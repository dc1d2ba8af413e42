"""The captation pipeline (issue item 2): owner contacted → dwelling captured → in use →
returned to its owner.

A dwelling's stage is its status (:data:`~tremplin_housing.fields.CAPTATION_STAGES`):
``prospect`` (owner contacted, ``contacted_on``), ``available`` or ``works`` (captured,
``captured_on``, with the head lease or management mandate signed with the owner),
``occupied`` (in use: set when a household enters), ``returned`` (``returned_on``,
``return_reason``, and the notice recorded on the head lease). The moves here check what the
dwelling is when they write (the row is locked first), so a double submission or two people
at once cannot capture or return a dwelling twice.

Filter by year: a dwelling is in the pipeline in a year when it was contacted (or captured,
or created for older records) on or before the 31st of December and not returned before the
1st of January.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from tremplin.api import (
    N_,
    Actor,
    FormErrors,
    add_months,
    now,
    programme_filter,
    today,
    transaction,
    validate,
)
from tremplin_housing import stock
from tremplin_housing.access import (
    MASKED_ADDRESS,
    audit_revealed,
    mask_rows,
    protect,
)
from tremplin_housing.common import (
    PARIS,
    date_or_none,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import CAPTATION_STAGES, CAPTURE_FIELDS, RETURN_FIELDS
from tremplin_housing.tables import Dwelling, HeadLease, Occupancy, Vacancy

PAGE_SIZE = 50
STAGES = {key: statuses for key, _label, statuses in CAPTATION_STAGES}
STAGE_LABELS = {key: label for key, label, _statuses in CAPTATION_STAGES}
STAGE_OF = {status: key for key, _label, statuses in CAPTATION_STAGES for status in statuses}
MASKED_OWNER = "Propriétaire confidentiel"
#: Statuses from which a dwelling can be returned to its owner.
RETURNABLE = ("available", "works", "occupied")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _filter(programme: str = "", year: int | None = None):
    """Where-clause of the page's filters (``None``: no filter)."""
    clause: Combinable | None = None
    if programme:
        clause = Dwelling.programme == programme
    if year is not None:
        start, end = year_bounds(year)
        next_year = dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time(), tzinfo=PARIS
        ).astimezone(dt.UTC)
        began = (
            (Dwelling.contacted_on <= end)
            | (Dwelling.contacted_on.is_null() & (Dwelling.captured_on <= end))
            | (
                Dwelling.contacted_on.is_null()
                & Dwelling.captured_on.is_null()
                & (Dwelling.created_at < next_year)
            )
        )
        year_clause = began & (Dwelling.returned_on.is_null() | (Dwelling.returned_on >= start))
        clause = year_clause if clause is None else clause & year_clause
    return clause


async def stage_counts(
    programme: str = "", year: int | None = None, scope: Any = None
) -> dict[str, int]:
    """How many dwellings at each stage (one ``COUNT`` per stage, on indexed columns);
    ``scope``: the user's programme filter (:func:`tremplin.api.programme_filter`)."""
    out = {}
    extra = _filter(programme, year)
    if scope is not None:
        extra = scope if extra is None else extra & scope
    for key, statuses in STAGES.items():
        query = Dwelling.count().where(Dwelling.status.is_in(list(statuses)))
        if extra is not None:
            query = query.where(extra)
        out[key] = await query
    return out


def _notice_end(lease: dict[str, Any] | None) -> dt.date | None:
    if not lease or not lease["notice_given_on"]:
        return None
    return add_months(lease["notice_given_on"], lease["notice_months"] or 0)


async def stage_rows(
    stage: str,
    user: Any,
    programme: str = "",
    year: int | None = None,
    after: int | None = None,
    limit: int | None = None,
    client: str = "",
    connection: Any = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the dwellings at ``stage`` in id order (keyset), with the owner, the
    pipeline dates and the latest head lease; confidential addresses and owners masked for
    ``user`` (and audited when shown). Returns the rows and the next cursor.

    With the request (``connection``), a user restricted to programmes lists only theirs
    (and dwellings of no programme yet) and the occupants' protection applies (see
    :func:`tremplin_housing.access.protect`); without it every address is masked."""
    limit = limit or PAGE_SIZE
    query = Dwelling.select(
        Dwelling.id,
        Dwelling.reference,
        Dwelling.address,
        Dwelling.postcode,
        Dwelling.city,
        Dwelling.typology,
        Dwelling.furnished,
        Dwelling.status,
        Dwelling.programme,
        Dwelling.confidential,
        Dwelling.contacted_on,
        Dwelling.captured_on,
        Dwelling.returned_on,
        Dwelling.return_reason,
        Dwelling.owner.name.as_alias("owner_name"),
    ).where(Dwelling.status.is_in(list(STAGES[stage])))
    extra = _filter(programme, year)
    if extra is not None:
        query = query.where(extra)
    scope = programme_filter(connection, Dwelling.programme) if connection else None
    if scope is not None:
        query = query.where(scope)
    if after is not None:
        query = query.where(Dwelling.id > after)
    rows = await query.order_by(Dwelling.id).limit(limit + 1)
    next_cursor = rows[limit - 1]["id"] if len(rows) > limit else None
    rows = rows[:limit]
    leases: dict[int, dict[str, Any]] = {}
    for lease in (
        await HeadLease.select()
        .where(HeadLease.dwelling.is_in([r["id"] for r in rows] or [0]))
        .order_by(HeadLease.start_date)
    ):
        leases[lease["dwelling"]] = lease  # the latest one wins
    if connection is not None:
        await protect(connection, rows)
    out = mask_rows(rows, user)
    await audit_revealed(rows, user, client)
    for row in out:
        if row["shown_address"] == MASKED_ADDRESS:
            row["owner_name"] = MASKED_OWNER
        row["lease"] = leases.get(row["id"])
        row["notice_end"] = _notice_end(row["lease"])
    return out, next_cursor


async def move_context(dwelling_id: int, user: Any, connection: Any = None) -> dict[str, Any]:
    """The dwelling a move is about, as ``user`` may see it, with its latest head lease."""
    row = require(
        await Dwelling.select(
            *Dwelling.all_columns(),
            Dwelling.owner.name.as_alias("owner_name"),
        )
        .where(Dwelling.id == dwelling_id)
        .first(),
        dwelling_id,
    )
    lease = (
        await HeadLease.select()
        .where(HeadLease.dwelling == dwelling_id)
        .order_by(HeadLease.start_date, ascending=False)
        .first()
    )
    if connection is not None:
        await protect(connection, [row])
    shown = mask_rows([row], user)[0]
    shown["lease"] = lease
    shown["stage"] = STAGE_OF.get(row["status"], "")
    if shown["shown_address"] == MASKED_ADDRESS:
        shown["owner_name"] = MASKED_OWNER
    return shown


async def record_contact(actor: Actor, raw: dict[str, Any], programmes: dict[str, str]) -> int:
    """A new prospect: the owner was contacted about a dwelling (status ``prospect``)."""
    form = {
        **raw,
        "status": "prospect",
        "captured_on": "",
        "returned_on": "",
        "return_reason": "",
        "stock": raw.get("stock") or "private",
    }
    errors = {}
    if not str(raw.get("contacted_on") or "").strip():
        errors["contacted_on"] = N_("indiquez la date du contact avec le propriétaire")
    try:
        if errors:
            stock._dwelling_values(form, programmes)  # every error at once
        else:
            return await stock.create_dwelling(actor, form, programmes)
    except FormErrors as exc:
        errors = {**exc.errors, **errors}
    raise FormErrors(errors)


async def _lock(dwelling_id: int) -> dict[str, Any]:
    """Touch the row first: on PostgreSQL a concurrent move of the same dwelling waits here,
    then sees this one's result (SQLite's write transaction is already exclusive)."""
    await Dwelling.update({Dwelling.updated_at: now()}).where(Dwelling.id == dwelling_id)
    return require(await Dwelling.select().where(Dwelling.id == dwelling_id).first(), dwelling_id)


async def capture(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> int:
    """A prospect is captured: the day, and the head lease or mandate signed with the
    owner, in one transaction. Returns the head lease id."""
    values = validate(CAPTURE_FIELDS, raw)
    captured_on = date_or_none(values["captured_on"])
    start, end = date_or_none(values["start_date"]), date_or_none(values["end_date"])
    assert start is not None  # a required field: validate() refused it empty
    errors: dict[str, str] = {}
    try:
        not_in_future("captured_on", captured_on, "la date de captation")
    except FormErrors as exc:
        errors.update(exc.errors)
    if end is not None and end < start:
        errors["end_date"] = N_("la date de fin précède la date de début")
    if errors:
        raise FormErrors(errors)
    async with transaction():
        dwelling = await _lock(dwelling_id)
        if dwelling["status"] != "prospect":
            raise FormErrors(
                {
                    "_capture": "Ce logement n'est plus en prospection : il a déjà "
                    "été capté ou rendu."
                }
            )
        if dwelling["contacted_on"] and captured_on < dwelling["contacted_on"]:
            raise FormErrors(
                {
                    "captured_on": "la date de captation précède le premier contact "
                    f"({dwelling['contacted_on']:%d/%m/%Y})"
                }
            )
        lease_id = await stock.add_head_lease(
            actor,
            dwelling_id,
            {
                k: raw.get(k, "")
                for k in ("kind", "start_date", "end_date", "rent", "charges", "notice_months")
            },
        )
        await Dwelling.update(
            {
                Dwelling.status: "available",
                Dwelling.captured_on: captured_on,
                Dwelling.version: dwelling["version"] + 1,
                Dwelling.updated_at: now(),
            }
        ).where(Dwelling.id == dwelling_id)
        await write_audit(
            actor, "capture", "housing_dwelling", dwelling_id, ["status", "captured_on", "lease"]
        )
    return lease_id


async def return_to_owner(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> None:
    """The dwelling goes back to its owner: day, reason, notice. The head lease in force
    ends that day (with the notice recorded), an open vacancy period is closed; refused
    while a household occupies the dwelling on or after that day."""
    values = validate(RETURN_FIELDS, raw)
    returned_on = date_or_none(values["returned_on"])
    notice_on = date_or_none(values["notice_given_on"])
    errors: dict[str, str] = {}
    for name, day, what in (
        ("returned_on", returned_on, "la date du retour"),
        ("notice_given_on", notice_on, "la date du congé"),
    ):
        try:
            not_in_future(name, day, what)
        except FormErrors as exc:
            errors.update(exc.errors)
    if notice_on and returned_on and notice_on > returned_on:
        errors["notice_given_on"] = N_("le congé est daté après le retour du logement")
    if errors:
        raise FormErrors(errors)
    async with transaction():
        dwelling = await _lock(dwelling_id)
        if dwelling["status"] == "returned":
            raise FormErrors({"_return": "Ce logement a déjà été rendu au propriétaire."})
        if dwelling["status"] not in RETURNABLE:
            raise FormErrors(
                {
                    "_return": "Un logement en prospection n'a pas été capté : il "
                    "ne peut pas être rendu."
                }
            )
        if dwelling["captured_on"] and returned_on < dwelling["captured_on"]:
            raise FormErrors(
                {
                    "returned_on": "la date du retour précède celle de la captation "
                    f"({dwelling['captured_on']:%d/%m/%Y})"
                }
            )
        occupied = (
            await Occupancy.select(Occupancy.end_date)
            .where(
                (Occupancy.dwelling == dwelling_id)
                & (Occupancy.end_date.is_null() | (Occupancy.end_date >= returned_on))
            )
            .first()
        )
        if occupied is not None:
            until = (
                f"jusqu'au {occupied['end_date']:%d/%m/%Y}" if occupied["end_date"] else "encore"
            )
            raise FormErrors(
                {
                    "returned_on": f"un ménage occupe {until} ce logement : "
                    "enregistrez d'abord sa sortie"
                }
            )
        lease = (
            await HeadLease.select()
            .where(
                (HeadLease.dwelling == dwelling_id)
                & (HeadLease.start_date <= returned_on)
                & (HeadLease.end_date.is_null() | (HeadLease.end_date >= returned_on))
            )
            .order_by(HeadLease.start_date, ascending=False)
            .first()
        )
        if lease is not None:
            changes: dict[Column | str, Any] = {HeadLease.end_date: returned_on}
            if notice_on is not None:
                changes[HeadLease.notice_given_on] = notice_on
            if values["notice_months"] is not None:
                changes[HeadLease.notice_months] = values["notice_months"]
            await HeadLease.update(changes).where(HeadLease.id == lease["id"])
        elif notice_on is not None:
            raise FormErrors(
                {
                    "notice_given_on": "aucun bail ni mandat en cours à cette date : "
                    "le congé ne peut pas être enregistré"
                }
            )
        await Vacancy.update({Vacancy.end_date: returned_on}).where(
            (Vacancy.dwelling == dwelling_id)
            & (Vacancy.start_date <= returned_on)
            & (Vacancy.end_date.is_null() | (Vacancy.end_date > returned_on))
        )
        await Dwelling.update(
            {
                Dwelling.status: "returned",
                Dwelling.returned_on: returned_on,
                Dwelling.return_reason: values["return_reason"],
                Dwelling.version: dwelling["version"] + 1,
                Dwelling.updated_at: now(),
            }
        ).where(Dwelling.id == dwelling_id)
        await write_audit(
            actor,
            "return",
            "housing_dwelling",
            dwelling_id,
            ["status", "returned_on", "return_reason", "lease"],
        )


def default_year() -> int:
    return today().year
