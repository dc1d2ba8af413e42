"""Unique and composite indexes (``add_raw`` runs before ``add_table`` in one migration,
hence this second file)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T07:51:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "Boarding-house unique and composite indexes"

STATEMENTS = (
    # Two units of one house never share a label (the label is what hosts call the unit).
    "CREATE UNIQUE INDEX IF NOT EXISTS boarding_house_unit_label_uniq "
    "ON boarding_house_unit (house, label)",
    "CREATE INDEX IF NOT EXISTS boarding_house_activity_house_date "
    "ON boarding_house_activity (house, held_on)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="boarding_house", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
