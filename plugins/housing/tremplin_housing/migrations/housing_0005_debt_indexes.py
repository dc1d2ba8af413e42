"""Unique indexes that make a double submission harmless, even on two workers at once: one
repayment plan per household and signature day, one help application per household, kind,
day and amount, a document attached once to an inventory."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T07:51:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing unique indexes for plans, aid applications and inventory photos"

STATEMENTS = (
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS housing_plan_household_start_uniq "
        "ON housing_repayment_plan (household, start_date)"
    ),
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS housing_aid_same_uniq "
        "ON housing_aid_application (household, kind, applied_on, requested_cents)"
    ),
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS housing_inventory_photo_uniq "
        "ON housing_inventory_photo (inventory, document)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_claim_dwelling_date "
        "ON housing_claim (dwelling, occurred_on)"
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
