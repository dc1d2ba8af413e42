"""The database layer: SQLite durability settings, concurrent writers, atomic requests."""

import asyncio

import pytest

from tremplin import db
from tremplin.db.sqlite import PooledSQLiteEngine
from tremplin.models import Household, TimelineEvent
from tremplin.services import households as hh
from tremplin.services.clock import now

ACTOR = hh.Actor(user_id=None, address="127.0.0.1")


async def test_sqlite_connections_are_durable_and_wait_for_locks(tmp_path):
    engine = PooledSQLiteEngine(path=str(tmp_path / "pragmas.sqlite3"))
    conn = await engine.acquire()
    try:
        values = {}
        for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            async with conn.execute(f"PRAGMA {pragma}") as cursor:
                values[pragma] = list((await cursor.fetchone()).values())[0]
    finally:
        await engine.release(conn)
        await engine.close_pool()
    assert values == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 15000,
    }


async def test_concurrent_read_then_write_transactions_all_succeed(database):
    household_id = await hh.create_household(ACTOR, {"name": "DUPONT Marie"})

    async def writer(i: int) -> None:
        async with db.transaction():
            count = await TimelineEvent.count().where(TimelineEvent.household == household_id)
            await asyncio.sleep(0.01)  # hold the transaction open while others try to write
            await TimelineEvent.insert(
                TimelineEvent(
                    household=household_id,
                    kind="note",
                    occurred_at=now(),
                    title=f"n{count}",
                    body=str(i),
                    created_at=now(),
                )
            )

    await asyncio.gather(*(writer(i) for i in range(10)))
    titles = await TimelineEvent.select(TimelineEvent.title).where(
        TimelineEvent.household == household_id
    )
    assert len(titles) == 10
    # IMMEDIATE (SQLite) serialises the read-then-write: every writer saw its predecessors.
    if isinstance(db.current_engine(), PooledSQLiteEngine):
        assert sorted(t["title"] for t in titles) == sorted(f"n{i}" for i in range(10))


async def test_a_failure_half_way_writes_nothing(database):
    before = await Household.count()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await hh.create_household(ACTOR, {"name": "TEMPORAIRE Jean"})
            raise RuntimeError("the request fails after the first write")
    assert await Household.count() == before


async def test_foreign_keys_restrict_deleting_a_household_with_history(database):
    household_id = await hh.create_household(
        ACTOR, {"name": "MARTIN Léa"}, {"first_name": "Léa", "last_name": "Martin"}
    )
    with pytest.raises(Exception):
        await Household.delete().where(Household.id == household_id)
    assert await Household.exists().where(Household.id == household_id)
