"""Indexes for the sortable household list: (name, id), (reference, id), (updated_at, id).

Each sort of the « Ménages » list pages with a keyset on (column, id); these composite
indexes serve both the ``ORDER BY column, id`` and the row-value comparison of the cursor.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T01:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Household list sort indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS household_name_id ON household (name, id)",
    "CREATE INDEX IF NOT EXISTS household_reference_id ON household (reference, id)",
    "CREATE INDEX IF NOT EXISTS household_updated_at_id ON household (updated_at, id)",
    "CREATE INDEX IF NOT EXISTS enrolment_household_state ON enrolment (household, state)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
