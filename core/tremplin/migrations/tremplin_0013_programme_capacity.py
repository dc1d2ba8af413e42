"""Places of each programme per year, set by the administrator (no longer in plugin code)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-02T01:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Programme capacity (places per programme and year)"

COLUMNS = (
    "programme VARCHAR(50) NOT NULL DEFAULT '', year INTEGER NOT NULL DEFAULT 0, "
    "places INTEGER NOT NULL DEFAULT 0, sub_places INTEGER NULL, "
    "sub_label VARCHAR(100) NOT NULL DEFAULT '', "
    "updated_by INTEGER NULL REFERENCES tremplin_user (id) ON DELETE RESTRICT, "
    "updated_at {timestamp} NOT NULL"
)
SQLITE = (
    "CREATE TABLE IF NOT EXISTS programme_capacity "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, " + COLUMNS.format(timestamp="TIMESTAMPTZ") + ")"
)
POSTGRES = (
    "CREATE TABLE IF NOT EXISTS programme_capacity "
    "(id SERIAL PRIMARY KEY, " + COLUMNS.format(timestamp="TIMESTAMPTZ") + ")"
)
INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS programme_capacity_programme_year "
    "ON programme_capacity (programme, year)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        engine = Migration._meta.db
        await Migration.raw(SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES)
        await Migration.raw(INDEX)

    manager.add_raw(run)
    return manager
