"""The audit trail: append-only, hash-chained, never the values themselves."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from piccolo.engine.postgres import PostgresEngine

from tremplin.db import current_engine, raw, transaction
from tremplin.models import AuditEntry
from tremplin.services.clock import now

__all__ = ["record", "verify_chain"]

_LOCK_KEY = 746_231  # the advisory locks' namespace (first key) on PostgreSQL

# Hand-written: the household page appends one entry on every read.
_LAST_SQL = (
    'SELECT "hash" FROM "audit_entry" WHERE "object_type" = {} AND "object_id" = {} '
    'ORDER BY "id" DESC LIMIT 1'
)
_LAST_NO_OBJECT_SQL = (
    'SELECT "hash" FROM "audit_entry" WHERE "object_type" = {} AND "object_id" IS NULL '
    'ORDER BY "id" DESC LIMIT 1'
)
_INSERT_SQL = (
    'INSERT INTO "audit_entry" ("at", "user_id", "action", "object_type", "object_id", '
    '"fields", "address", "prev_hash", "hash") VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})'
)
_LOCK_SQL = "SELECT pg_advisory_xact_lock({}, {})"


def _digest(prev: str, at: str, user_id, action, object_type, object_id, fields, address) -> str:
    payload = json.dumps(
        [prev, at, user_id, action, object_type, object_id, list(fields), address],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _chain_lock(object_type: str, object_id: int | None) -> int:
    """The second key of the chain's advisory lock: a 32-bit digest of the chain's name."""
    name = f"{object_type}:{'' if object_id is None else object_id}".encode()
    return int.from_bytes(hashlib.blake2b(name, digest_size=4).digest(), "big", signed=True)


async def record(
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    user_id: int | None = None,
    fields: Iterable[str] = (),
    address: str = "",
) -> None:
    """Append one entry: who (user id), what (action, object, changed field names), where.

    Entries are hash-chained per object (``object_type``, ``object_id``): each one carries
    the hash of the previous entry about the same object. Appends about different objects
    (two households read at once) never wait for each other; on PostgreSQL those about the
    same object are serialised by an advisory lock on that chain only (SQLite serialises
    every write transaction anyway).
    """
    field_names = sorted(set(fields))
    async with transaction():
        if isinstance(current_engine(), PostgresEngine):
            await raw.fetch(_LOCK_SQL, _LOCK_KEY, _chain_lock(object_type, object_id))
        if object_id is None:
            last = await raw.fetch_one(_LAST_NO_OBJECT_SQL, object_type)
        else:
            last = await raw.fetch_one(_LAST_SQL, object_type, object_id)
        prev = last["hash"] if last else ""
        at = now()
        digest = _digest(
            prev, at.isoformat(), user_id, action, object_type, object_id, field_names, address
        )
        await raw.execute(
            _INSERT_SQL,
            at,
            user_id,
            action,
            object_type,
            object_id,
            json.dumps(field_names),
            address[:64],
            prev,
            digest,
        )


async def verify_chain() -> int | None:
    """Return the id of the first entry whose hash does not match, or ``None`` if intact.

    Each entry must carry the hash of the previous entry about the same object (its chain),
    or, for entries written before chains were per object, of the previous entry of the
    whole trail. A chain starts at its oldest entry kept (older ones are purged by the
    retention command), whose recorded ``prev_hash`` is taken as the anchor.
    """
    rows = await AuditEntry.select().order_by(AuditEntry.id).output(load_json=True)
    prev = rows[0]["prev_hash"] if rows else ""
    chains: dict[tuple[str, int | None], str] = {}
    for row in rows:
        at = row["at"].isoformat()
        expected = _digest(
            row["prev_hash"],
            at,
            row["user_id"],
            row["action"],
            row["object_type"],
            row["object_id"],
            row["fields"],
            row["address"],
        )
        chain = (row["object_type"], row["object_id"])
        linked = row["prev_hash"] in (prev, chains.get(chain, row["prev_hash"]))
        if not linked or row["hash"] != expected:
            return row["id"]
        prev = chains[chain] = row["hash"]
    return None
