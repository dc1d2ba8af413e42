"""Imported enrolments' external ids are unique (a partial index keeps NULLs free)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T05:58:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique enrolment external ids"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def create_index():
        from piccolo.apps.migrations.tables import Migration

        await Migration.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS enrolment_external_id "
            "ON enrolment (external_id) WHERE external_id IS NOT NULL"
        )

    manager.add_raw(create_index)
    return manager
