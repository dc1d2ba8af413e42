"""Indexes of the desk's demands list sorted newest first by registration or by last
status change (keyset on the date and the id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T13:24:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "Rental agency desk list sort indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS rental_agency_demand_registered_id "
    "ON rental_agency_demand (registered_on, id)",
    "CREATE INDEX IF NOT EXISTS rental_agency_demand_status_on_id "
    "ON rental_agency_demand (status_on, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rental_agency", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
