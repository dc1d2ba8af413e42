"""Households, people and memberships: creation, edition with conflict detection, search."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine

from tremplin.db import current_engine, raw, transaction
from tremplin.errors import Actor, ConflictError, NotFound
from tremplin.forms import (
    HOUSEHOLD_FIELDS,
    MEMBERSHIP_FIELDS,
    FormErrors,
    validate,
    validate_person,
)
from tremplin.models import Household, Membership, Person
from tremplin.policy import visible_households
from tremplin.services import audit
from tremplin.services.clock import now, today
from tremplin.text import normalise

__all__ = [
    "Actor",
    "ConflictError",
    "NotFound",
    "add_member",
    "create_household",
    "end_membership",
    "household_members",
    "list_households",
    "update_household",
]

PAGE_SIZE = 50


async def refresh_search(household_id: int) -> None:
    """Recompute a household's search text from its name, reference and current members."""
    household = (
        await Household.select(Household.name, Household.reference)
        .where(Household.id == household_id)
        .first()
    )
    assert household is not None  # the caller names an existing household
    people = await Membership.select(
        Membership.person.first_name, Membership.person.last_name
    ).where((Membership.household == household_id) & Membership.end_date.is_null())
    names = [f"{p['person.first_name']} {p['person.last_name']}" for p in people]
    await Household.update(
        {Household.search_text: normalise(household["name"], household["reference"], *names)}
    ).where(Household.id == household_id)


async def create_household(
    actor: Actor,
    raw: dict[str, Any],
    reference_person: dict[str, Any] | None = None,
    *,
    external_id: str | None = None,
) -> int:
    """Create a household (and its reference person if given); returns its id.

    Validation errors of both forms are raised together as :class:`FormErrors`.
    """
    errors: dict[str, str] = {}
    try:
        values = validate(HOUSEHOLD_FIELDS, raw)
    except FormErrors as exc:
        errors.update(exc.errors)
    person_values = None
    if reference_person is not None:
        try:
            person_values = validate_person(reference_person)
        except FormErrors as exc:
            errors.update({f"person_{k}": m for k, m in exc.errors.items()})
    if errors:
        raise FormErrors(errors)
    current = now()
    async with transaction():
        row = await Household.insert(
            Household(
                reference=f"tmp-{secrets.token_hex(6)}",  # replaced below, once the id is known
                created_by=actor.user_id,
                created_at=current,
                updated_at=current,
                external_id=external_id,
                **_clean(values),
            )
        ).returning(Household.id)
        household_id = row[0]["id"]
        await Household.update({Household.reference: f"M-{household_id:06d}"}).where(
            Household.id == household_id
        )
        if person_values is not None:
            person_id = await _insert_person(person_values, current)
            await Membership.insert(
                Membership(
                    household=household_id,
                    person=person_id,
                    relation="reference",
                    start_date=today(),
                )
            )
        await refresh_search(household_id)
        await audit.record(
            "create",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=values.keys(),
            address=actor.address,
        )
    return household_id


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Column values from parsed fields (``None`` → empty string for text columns)."""
    out = {}
    for key, value in values.items():
        if key == "resources":
            out[key] = value or []
        else:
            out[key] = "" if value is None else value
    return out


async def _insert_person(values: dict[str, Any], current: dt.datetime) -> int:
    birth = values.get("birth_date")
    row = await Person.insert(
        Person(
            first_name=values["first_name"],
            last_name=values["last_name"],
            birth_date=dt.date.fromisoformat(birth) if birth else None,
            sex=values.get("sex") or "",
            nationality=values.get("nationality") or "",
            created_at=current,
        )
    ).returning(Person.id)
    return row[0]["id"]


def _json_names(table) -> tuple[str, ...]:
    return tuple(c._meta.name for c in table._meta.json_columns)


async def get_household(household_id: int) -> dict[str, Any]:
    # Hand-written (tremplin.db.raw): read on every household page and fragment.
    row = await raw.fetch_one(
        f'SELECT {raw.columns(Household)} FROM "household" WHERE "household"."id" = {{}}',
        household_id,
        json=_json_names(Household),
    )
    if row is None:
        raise NotFound(household_id)
    return row


async def update_household(
    actor: Actor, household_id: int, version: int, raw: dict[str, Any]
) -> None:
    """Save an edit made on ``version``; raise :class:`ConflictError` if it moved on since."""
    from tremplin.services import commands  # it imports this module

    values = _clean(validate(HOUSEHOLD_FIELDS, raw))
    async with transaction():
        current = await get_household(household_id)
        if current["version"] != version:
            raise ConflictError(current)
        changed = [k for k, v in values.items() if current.get(k) != v]
        # Checks the affected row count: on PostgreSQL a concurrent commit between our read
        # and our write leaves no row at ``version``.
        await commands.versioned_update(
            Household,
            household_id,
            version,
            {Household._meta.get_column_by_name(k): v for k, v in values.items()},
        )
        await refresh_search(household_id)
        await audit.record(
            "update",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=changed,
            address=actor.address,
        )


_MEMBERS_SQL = (
    'SELECT m."id" AS "id", m."relation" AS "relation", m."start_date" AS "start_date", '
    'm."end_date" AS "end_date", p."id" AS "person_id", p."first_name" AS "first_name", '
    'p."last_name" AS "last_name", p."birth_date" AS "birth_date", p."sex" AS "sex" '
    'FROM "membership" AS m LEFT JOIN "person" AS p ON p."id" = m."person" '
    'WHERE m."household" = {}'
)


async def household_members(household_id: int, *, include_past: bool = True) -> list[dict]:
    """The household's members (past ones too unless ``include_past`` is false), by
    arrival."""
    current = "" if include_past else ' AND m."end_date" IS NULL'
    return await raw.fetch(f'{_MEMBERS_SQL}{current} ORDER BY m."start_date", m."id"', household_id)


async def add_member(
    actor: Actor, household_id: int, raw: dict[str, Any], person_id: int | None = None
) -> int:
    """Add a new person (or an existing one, say after a separation) to a household."""
    errors: dict[str, str] = {}
    membership: dict[str, Any] = {}
    person_values: dict[str, Any] | None = None
    try:
        membership = validate(MEMBERSHIP_FIELDS, raw)
    except FormErrors as exc:
        errors.update(exc.errors)
    if person_id is None:
        try:
            person_values = validate_person(raw)
        except FormErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FormErrors(errors)
    current = now()
    async with transaction():
        await get_household(household_id)
        if person_id is None:
            assert person_values is not None
            person_id = await _insert_person(person_values, current)
        else:
            active = await Membership.exists().where(
                (Membership.person == person_id)
                & (Membership.household == household_id)
                & Membership.end_date.is_null()
            )
            if active:
                raise FormErrors({"person": "cette personne fait déjà partie du ménage"})
        row = await Membership.insert(
            Membership(
                household=household_id,
                person=person_id,
                relation=membership["relation"],
                start_date=dt.date.fromisoformat(membership["start_date"]),
            )
        ).returning(Membership.id)
        await refresh_search(household_id)
        await audit.record(
            "add_member",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=["membership"],
            address=actor.address,
        )
    return row[0]["id"]


async def end_membership(actor: Actor, membership_id: int, end_date: dt.date) -> None:
    """A person leaves a household; the household keeps the membership in its history."""
    async with transaction():
        row = await Membership.select().where(Membership.id == membership_id).first()
        if row is None:
            raise NotFound(membership_id)
        if end_date < row["start_date"]:
            raise FormErrors({"end_date": "la date de départ précède la date d'arrivée"})
        await Membership.update({Membership.end_date: end_date}).where(
            Membership.id == membership_id
        )
        await refresh_search(row["household"])
        await audit.record(
            "end_member",
            "household",
            row["household"],
            user_id=actor.user_id,
            fields=["membership"],
            address=actor.address,
        )


async def list_households(
    query: str = "",
    *,
    before_id: int | None = None,
    visible: tuple[list[str], int] | None = None,
    limit: int = PAGE_SIZE,
    where: Sequence[Any] = (),
    sort: str = "recent",
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of households, newest first, with keyset pagination on the id.

    ``where``: extra clauses (the list's filters, :mod:`tremplin.services.household_list`);
    ``sort``: a key of :data:`SORTS`. The cursor is always the last row's id; the next page
    starts after that row in the chosen order (keyset, through the sort column's index).

    ``query`` matches every word in the name, reference or members' names, ignoring case and
    accents on both engines. ``visible`` (programmes, user id) restricts to what a user may
    see. Returns the rows and the cursor of the next page (``None`` on the last one).
    """
    words = [w for w in (_escape_like(w) for w in normalise(query).split()[:5]) if w]
    if not words and not where:
        return await _plain_page(before_id, visible, limit, sort)
    select = Household.select(
        Household.id,
        Household.reference,
        Household.name,
        Household.composition,
        Household.updated_at,
    ).where(Household.archived_at.is_null())
    indexed = [w for w in words if len(w) >= 3] if _sqlite() else []
    if indexed:
        # SQLite: words of 3 characters or more through the FTS5 trigram index (substring
        # match, like LIKE '%word%'); PostgreSQL's pg_trgm index serves the LIKE below as is.
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        inner = (
            "SELECT f.rowid FROM household_fts AS f JOIN household AS h ON h.id = f.rowid "
            "WHERE household_fts MATCH {} AND h.archived_at IS NULL"
        )
        args: list[Any] = [match]
        if before_id is not None:
            inner += " AND f.rowid < {}"
            args.append(before_id)
        if visible is None and len(indexed) == len(words) and not where and sort == "recent":
            # Nothing else filters: stop at the page's size, newest first.
            inner += f" ORDER BY f.rowid DESC LIMIT {int(limit) + 1}"
        select = select.where(WhereRaw(f'"household"."id" IN ({inner})', *args))
    for word in words:
        if word not in indexed:
            select = select.where(Household.search_text.like(f"%{word}%"))
    column, ascending = SORTS.get(sort, SORTS["recent"])
    if before_id is not None:
        if column == "id":
            select = select.where(Household.id < before_id)
        else:
            # (column, id) after the cursor row's, in the sort's direction: a row-value
            # comparison both engines answer through the (column, id) index.
            op = ">" if ascending else "<"
            select = select.where(
                WhereRaw(
                    f'("household"."{column}", "household"."id") {op} '
                    f"(SELECT c.{column}, c.id FROM household AS c WHERE c.id = {{}})",
                    before_id,
                )
            )
    if visible is not None:
        select = select.where(visible_households(*visible))
    for clause in where:
        select = select.where(clause)
    if column == "id":
        select = select.order_by(Household.id, ascending=False)
    else:
        select = select.order_by(getattr(Household, column), ascending=ascending).order_by(
            Household.id, ascending=ascending
        )
    rows = await select.limit(limit + 1)
    next_cursor = rows[limit - 1]["id"] if len(rows) > limit else None
    return rows[:limit], next_cursor


async def _plain_page(
    before_id: int | None, visible: tuple[list[str], int] | None, limit: int, sort: str
) -> tuple[list[dict[str, Any]], int | None]:
    """:func:`list_households` with no search words and no filter (the list as it opens):
    the same statement hand-written (:mod:`tremplin.db.raw`), as Piccolo's query building
    cost more CPU than running it."""
    column, ascending = SORTS.get(sort, SORTS["recent"])
    sql = (
        'SELECT "id", "reference", "name", "composition", "updated_at" FROM "household" '
        'WHERE "archived_at" IS NULL'
    )
    args: list[Any] = []
    op = ">" if ascending else "<"
    if before_id is not None:
        if column == "id":
            sql += ' AND "id" < {}'
        else:
            sql += (
                f' AND ("{column}", "id") {op} '
                f'(SELECT c."{column}", c."id" FROM "household" AS c WHERE c."id" = {{}})'
            )
        args.append(before_id)
    if visible is not None:
        programmes, user_id = visible
        keys = programmes or [""]
        sql += (
            ' AND ("id" IN (SELECT e."household" FROM "enrolment" AS e '
            f'WHERE e."household" = "household"."id" AND e."programme" IN '
            f'({raw.placeholders(len(keys))})) OR "created_by" = {{}})'
        )
        args += [*keys, user_id]
    direction = "ASC" if ascending else "DESC"
    if column == "id":
        sql += ' ORDER BY "id" DESC'
    else:
        sql += f' ORDER BY "{column}" {direction}, "id" {direction}'
    rows = await raw.fetch(f"{sql} LIMIT {int(limit) + 1}", *args)
    next_cursor = rows[limit - 1]["id"] if len(rows) > limit else None
    return rows[:limit], next_cursor


#: The list's sorts: key → (column, ascending). ``recent`` is the newest file first.
SORTS: dict[str, tuple[str, bool]] = {
    "recent": ("id", False),
    "name": ("name", True),
    "reference": ("reference", True),
    "updated": ("updated_at", False),
}


def _sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def _escape_like(word: str) -> str:
    # normalise() keeps % and _; they would act as wildcards.
    return word.replace("%", "").replace("_", "")
