"""Long work kept in the database (report builds, imports): the ``job`` table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-02T12:46:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "Jobs: long work kept in the database"


# Snapshots of the tables as this migration knows them (not the live models).
class User(Table, tablename="tremplin_user"):
    pass


class Job(Table, tablename="job"):
    kind = Varchar(length=40)
    owner = ForeignKey(User, on_delete=OnDelete.restrict)
    state = Varchar(length=20, default="queued")
    progress = Integer(default=0)
    step = Varchar(length=200, default="")
    params = JSON(default={})
    result_path = Varchar(length=300, default="")
    result_name = Varchar(length=200, default="")
    result_media = Varchar(length=120, default="")
    summary = JSON(default={})
    error = Text(default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)


INDEXES = (
    # A user's jobs, newest first (the report and import pages), and the retention sweep.
    "CREATE INDEX IF NOT EXISTS job_owner ON job (owner, id)",
    "CREATE INDEX IF NOT EXISTS job_kind ON job (kind, state)",
    "CREATE INDEX IF NOT EXISTS job_expires_at ON job (expires_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        engine = Migration._meta.db
        Job._meta.db = engine
        await Job.create_table(if_not_exists=True)
        for sql in INDEXES:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
