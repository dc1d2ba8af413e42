"""One narrative per programme, year and section."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T05:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique report narratives"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        await Migration.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS report_narrative_unique "
            "ON report_narrative (programme, year, section)"
        )

    manager.add_raw(create_indexes)
    return manager
