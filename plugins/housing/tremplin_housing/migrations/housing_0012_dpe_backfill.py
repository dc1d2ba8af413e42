"""Existing energy labels become the first record of their dwelling's DPE history, in force
from their diagnostic date (else the day the dwelling was recorded)."""

from __future__ import annotations

import datetime as dt

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T12:36:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "DPE history: the current labels as first records; exit inventories index"


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def backfill() -> None:
    from piccolo.apps.migrations.tables import Migration

    sqlite = Migration._meta.db.engine_type == "sqlite"

    def p(value):
        if sqlite and isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        return value

    stamp = dt.datetime.now(dt.UTC)
    for r in await Migration.raw(
        "SELECT id, dpe_class, dpe_date, created_at FROM housing_dwelling "
        "WHERE dpe_class <> '' ORDER BY id"
    ):
        dpe_date = _date(r["dpe_date"])
        valid_from = dpe_date or _date(r["created_at"]) or stamp.date()
        await Migration.raw(
            "INSERT INTO housing_dpe_record (dwelling, dpe_class, dpe_date, valid_from, "
            "created_by, created_at) VALUES ({}, {}, {}, {}, NULL, {})",
            r["id"],
            r["dpe_class"],
            p(dpe_date),
            p(valid_from),
            p(stamp),
        )


async def create_indexes() -> None:
    from piccolo.apps.migrations.tables import Migration

    # The report's exit inventories of a year (works fund at departure).
    await Migration.raw(
        "CREATE INDEX IF NOT EXISTS housing_inventory_kind_done_on "
        "ON housing_inventory (kind, done_on)"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    manager.add_raw(backfill)
    manager.add_raw(create_indexes)
    return manager
