"""Indexes of the houses list sorted by name or by opening date (keyset on the column and
the id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:41:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "Boarding-house list sort indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS boarding_house_house_name_id ON boarding_house_house (name, id)",
    "CREATE INDEX IF NOT EXISTS boarding_house_house_opened_id "
    "ON boarding_house_house (opened_on, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="boarding_house", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
