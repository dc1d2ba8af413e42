"""Indexes for the sorts of ``/echeances`` by household and by subject (issue 16, point 3).

Each sort pages with a keyset on its columns then the id, so each index serves both the
``ORDER BY`` and the cursor's comparison: (household, due_on, id) — households in reference
order, each one's due dates earliest first (it also serves the household page's badges,
replacing ``due_date_household`` in use) — and (label, programme, due_on, id), by subject
then programme. Neither leads with the programme: see ``tremplin_0012_due_dates``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:59:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "Due dates sort indexes (household, subject)"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS due_date_household_due ON due_date (household, due_on, id)",
    "CREATE INDEX IF NOT EXISTS due_date_label_programme "
    "ON due_date (label, programme, due_on, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
