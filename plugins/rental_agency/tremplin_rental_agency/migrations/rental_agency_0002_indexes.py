"""Unique and composite indexes of the plugin's tables (``add_raw`` runs before ``add_table``
within one migration, hence this second file)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T00:48:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "Rental agency unique and composite indexes"

STATEMENTS = (
    # One decision per file and session.
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS rental_agency_presentation_session_demand "
        "ON rental_agency_presentation (session, demand)"
    ),
    # One situation per household and arrears commission.
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS rental_agency_arrears_case_commission_household "
        "ON rental_agency_arrears_case (commission, household)"
    ),
    # An imported demand keeps its stable id.
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS rental_agency_demand_external_id "
        "ON rental_agency_demand (external_id)"
    ),
    # Lists and report counts: status within a date range, a household's demands.
    (
        "CREATE INDEX IF NOT EXISTS rental_agency_demand_status_on "
        "ON rental_agency_demand (status, status_on)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS rental_agency_appointment_date_household "
        "ON rental_agency_appointment (on_date, household)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS rental_agency_allocation_status_dwelling "
        "ON rental_agency_allocation (status, dwelling_id)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS rental_agency_criterion_grid_position "
        "ON rental_agency_criterion (grid, position)"
    ),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rental_agency", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
