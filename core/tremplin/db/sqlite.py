"""A Piccolo SQLite engine that reuses its connections and sets durable pragmas.

Piccolo's stock engine opens a connection (and a thread) per query and only sets
``foreign_keys``. This one keeps a small pool per event loop, and every connection gets
WAL, ``synchronous=FULL`` (a committed write survives a power cut), foreign keys and a
busy timeout. Write transactions are taken ``IMMEDIATE`` by :func:`tremplin.db.transaction`
so that concurrent writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

__all__ = ["PooledSQLiteEngine", "TransactionType"]

BUSY_TIMEOUT_MS = 15_000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)


class _Pool:
    def __init__(self, engine: PooledSQLiteEngine, size: int) -> None:
        self.engine = engine
        self.size = size
        self.idle: list[aiosqlite.Connection] = []
        self.created = 0
        self.available = asyncio.Semaphore(size)

    async def acquire(self) -> aiosqlite.Connection:
        await self.available.acquire()
        if self.idle:
            return self.idle.pop()
        try:
            conn = await aiosqlite.connect(**self.engine.connection_kwargs)
            # aiosqlite types row_factory for sqlite3.Row; Piccolo's dict_factory gives dicts
            conn.row_factory = dict_factory  # type: ignore[assignment]
            for pragma in PRAGMAS:
                await conn.execute(pragma)
        except BaseException:
            self.available.release()
            raise
        self.created += 1
        return conn

    async def release(self, conn: aiosqlite.Connection, broken: bool = False) -> None:
        try:
            if not broken and conn.in_transaction:
                await conn.execute("ROLLBACK")
        except sqlite3.Error:
            broken = True
        if broken:
            await conn.close()
            self.created -= 1
        else:
            self.idle.append(conn)
        self.available.release()

    async def close(self) -> None:
        while self.idle:
            await self.idle.pop().close()


class PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, given back to the pool instead of closed."""

    async def get_connection(self) -> aiosqlite.Connection:
        # the engine is our pooled SQLite engine (acquire/release); Piccolo types the base one
        return await self.engine.acquire()  # type: ignore[attr-defined]

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            broken = True
            raise
        finally:
            # the engine is our pooled SQLite engine (acquire/release); Piccolo types the base one
            await self.engine.release(self.connection, broken=broken)  # type: ignore[attr-defined]
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite engine with one small connection pool per running event loop."""

    def __init__(self, path: str, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self.pool_size = pool_size
        self._pools: dict[int, _Pool] = {}

    def _pool(self) -> _Pool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(id(loop))
        if pool is None:
            pool = self._pools[id(loop)] = _Pool(self, self.pool_size)
        return pool

    async def acquire(self) -> aiosqlite.Connection:
        return await self._pool().acquire()

    async def release(self, conn: aiosqlite.Connection, broken: bool = False) -> None:
        await self._pool().release(conn, broken)

    async def close_pool(self) -> None:
        """Close the idle connections of the current event loop's pool."""
        loop = asyncio.get_running_loop()
        pool = self._pools.pop(id(loop), None)
        if pool is not None:
            await pool.close()

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.acquire()

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table=None
    ):
        conn = await self.acquire()
        try:
            # One trip to the connection's thread (execute, fetch and close the cursor),
            # where ``execute`` then ``fetchall`` then the cursor's close took three.
            rows = await conn.execute_fetchall(query, args or [])
            if conn.in_transaction:
                await conn.commit()
            return rows
        finally:
            # release() rolls back anything a failed statement left open.
            await self.release(conn)

    async def _run_in_existing_connection(
        self,
        connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table=None,
    ):
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledTransaction:
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )
