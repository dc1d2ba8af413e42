"""Unique indexes of the plugin's tables (``add_raw`` runs before ``add_table`` within one
migration, hence this second file)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T07:52:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "IML mandate unique indexes"

STATEMENTS = (
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS iml_mandate_axis_enrolment_axis "
        "ON iml_mandate_axis (enrolment, axis)"
    ),
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS iml_mandate_funded_programme_year "
        "ON iml_mandate_funded (programme, year)"
    ),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="iml_mandate", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
