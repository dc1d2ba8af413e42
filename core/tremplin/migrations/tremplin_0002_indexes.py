"""Composite indexes for the lists (Piccolo declares single-column indexes only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T05:06:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS timeline_household_at ON timeline_event (household, occurred_at)",
    "CREATE INDEX IF NOT EXISTS enrolment_programme_state ON enrolment (programme, state)",
    "CREATE INDEX IF NOT EXISTS enrolment_household_programme ON enrolment (household, programme)",
    "CREATE INDEX IF NOT EXISTS membership_person_household ON membership (person, household)",
    "CREATE INDEX IF NOT EXISTS audit_object ON audit_entry (object_type, object_id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
