"""Unique index on unit labels (``add_raw`` runs before ``add_table`` in one migration,
hence this second file)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T07:51:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "Social residence unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS social_residence_unit_label_uniq "
    "ON social_residence_unit (label)",
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="social_residence", description=DESCRIPTION
    )

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
