"""Indexes: the audit trail's per-object chains, the timeline's per-kind look-ups, due dates
in their warning period.

- ``audit_entry (object_type, object_id, id)``: each append reads the last entry about the
  same object (its chain), and the household page lists the last reads of the file; both
  walk this index backwards from the object's newest entry, with no sort.
- ``timeline_event (household, kind, occurred_at)``: the last event of a kind for a page
  of households (the house-mistress alert of the dashboard), read from the index instead
  of walking every event of the kind by date.
- ``due_date (warn_from, id)``: the dashboard counts the due dates whose warning period has
  begun; without it PostgreSQL reads every due date (``tests/ops/test_explain_pg.py``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit chain and timeline kind indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS audit_object_id ON audit_entry (object_type, object_id, id)",
    "CREATE INDEX IF NOT EXISTS timeline_household_kind_at "
    "ON timeline_event (household, kind, occurred_at)",
    "CREATE INDEX IF NOT EXISTS due_date_warn ON due_date (warn_from, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
