"""Index of the dwellings list sorted by typology (keyset on typology, id); the sort by
status reads housing_dwelling_status_id (0007)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T13:01:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing list sort indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS housing_dwelling_typology_id ON housing_dwelling (typology, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
