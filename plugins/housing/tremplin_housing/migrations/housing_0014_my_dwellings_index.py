"""Index of the dwellings list's « mes logements » filter (the dwellings a user recorded,
in reference order: keyset on the id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:47:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing « mes logements » index"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS housing_dwelling_created_by_id "
    "ON housing_dwelling (created_by, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
