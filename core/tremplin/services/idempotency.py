"""Double-submit protection: a form's one-time id maps to the result of its first submission."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Awaitable, Callable

import asyncpg

from tremplin.db import transaction
from tremplin.models import FormSubmission
from tremplin.services.clock import now

__all__ = ["run_once", "submission_key"]


def submission_key(user_id: int, form_id: str) -> str:
    """The stored key of one user's one-time form id (the id itself is never stored)."""
    return hashlib.sha256(f"{user_id}:{form_id}".encode()).hexdigest()


async def _existing(key: str) -> str | None:
    row = (
        await FormSubmission.select(FormSubmission.result).where(FormSubmission.key == key).first()
    )
    return row["result"] if row else None


async def run_once(
    form_id: str | None, user_id: int, action: Callable[[], Awaitable[str]]
) -> tuple[str, bool]:
    """Run ``action`` (which returns where to go next) once per ``form_id``.

    Returns the result and whether this call did the work. A retried or double-clicked
    submission gets the first one's result; the record is created once, in the same
    transaction as the marker, so a failure leaves neither.
    """
    if not form_id:
        return await action(), True
    key = submission_key(user_id, form_id[:64])
    try:
        async with transaction():
            previous = await _existing(key)
            if previous is not None:
                return previous, False
            result = await action()
            await FormSubmission.insert(
                FormSubmission(key=key, user_id=user_id, created_at=now(), result=result)
            )
            return result, True
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
        previous = await _existing(key)
        if previous is None:
            raise
        return previous, False
