"""The audit trail: append-only, hash-chained, never the values themselves."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from piccolo.engine.postgres import PostgresEngine

from tremplin.db import current_engine, transaction
from tremplin.models import AuditEntry
from tremplin.services.clock import now

__all__ = ["record", "verify_chain"]

_LOCK_KEY = 746_231  # any constant: serialises chain appends on PostgreSQL


def _digest(prev: str, at: str, user_id, action, object_type, object_id, fields, address) -> str:
    payload = json.dumps(
        [prev, at, user_id, action, object_type, object_id, list(fields), address],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


async def record(
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    user_id: int | None = None,
    fields: Iterable[str] = (),
    address: str = "",
) -> None:
    """Append one entry: who (user id), what (action, object, changed field names), where."""
    field_names = sorted(set(fields))
    async with transaction():
        if isinstance(current_engine(), PostgresEngine):
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
        last = (
            await AuditEntry.select(AuditEntry.hash)
            .order_by(AuditEntry.id, ascending=False)
            .limit(1)
            .first()
        )
        prev = last["hash"] if last else ""
        at = now()
        digest = _digest(
            prev, at.isoformat(), user_id, action, object_type, object_id, field_names, address
        )
        await AuditEntry.insert(
            AuditEntry(
                at=at,
                user_id=user_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                fields=field_names,
                address=address[:64],
                prev_hash=prev,
                hash=digest,
            )
        )


async def verify_chain() -> int | None:
    """Return the id of the first entry whose hash does not match, or ``None`` if intact.

    The chain starts at the oldest entry kept (older ones are purged by the retention
    command), whose recorded ``prev_hash`` is taken as the anchor.
    """
    rows = await AuditEntry.select().order_by(AuditEntry.id).output(load_json=True)
    prev = rows[0]["prev_hash"] if rows else ""
    for row in rows:
        at = row["at"].isoformat()
        expected = _digest(
            prev,
            at,
            row["user_id"],
            row["action"],
            row["object_type"],
            row["object_id"],
            row["fields"],
            row["address"],
        )
        if row["prev_hash"] != prev or row["hash"] != expected:
            return row["id"]
        prev = row["hash"]
    return None
