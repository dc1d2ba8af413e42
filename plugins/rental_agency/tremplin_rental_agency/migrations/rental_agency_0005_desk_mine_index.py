"""Index of the desk's « mes demandes » filter (the demands a user registered, newest
first: keyset on the registration date and the id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:43:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "Rental agency desk « mes demandes » index"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS rental_agency_demand_created_by_registered "
    "ON rental_agency_demand (created_by, registered_on, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rental_agency", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
