"""Composite indexes of the captation pipeline page: a page of one stage (statuses) in id
order, filtered or not by programme (keyset pagination)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing captation pipeline indexes"

STATEMENTS = (
    ("CREATE INDEX IF NOT EXISTS housing_dwelling_status_id ON housing_dwelling (status, id)"),
    (
        "CREATE INDEX IF NOT EXISTS housing_dwelling_programme_status_id "
        "ON housing_dwelling (programme, status, id)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS housing_head_lease_dwelling_start "
        "ON housing_head_lease (dwelling, start_date)"
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
