"""Jobs survive their process: which process runs a job (``runner``) and when it last said
so (``heartbeat_at``), so that any app process can tell a running job from a lost one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:47:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "Jobs: runner process and heartbeat"

# The same statements on both engines (TIMESTAMPTZ is the type Piccolo declares on each).
STATEMENTS = (
    "ALTER TABLE job ADD COLUMN runner VARCHAR(120) NOT NULL DEFAULT ''",
    "ALTER TABLE job ADD COLUMN heartbeat_at TIMESTAMPTZ DEFAULT null",
    # The start-up sweep and the pages look for live jobs (queued, running) by heartbeat.
    "CREATE INDEX IF NOT EXISTS job_live ON job (state, heartbeat_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        for sql in STATEMENTS:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
