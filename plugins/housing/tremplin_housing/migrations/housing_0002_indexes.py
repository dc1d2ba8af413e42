"""Unique and composite indexes (Piccolo declares single-column indexes only, and runs
``add_raw`` before ``add_table`` within one migration, hence this second file)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T05:42:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing unique and composite indexes"

STATEMENTS = (
    # A month is called once per occupancy: the rent-call run is idempotent. Payments have
    # no month (NULL), and NULLs never collide on either engine.
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS housing_ledger_month_uniq "
        "ON housing_ledger_entry (occupancy, kind, month)"
    ),
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS housing_rent_terms_uniq "
        "ON housing_rent_terms (occupancy, effective_from)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_ledger_household_date "
        "ON housing_ledger_entry (household, entry_date)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_occupancy_dwelling_dates "
        "ON housing_occupancy (dwelling, start_date, end_date)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_occupancy_household_dates "
        "ON housing_occupancy (household, start_date, end_date)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_arrears_household_date "
        "ON housing_arrears_step (household, done_on)"
    ),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(create_indexes)
    return manager
