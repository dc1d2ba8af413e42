"""Indexed substring search on households, and indexes for the dashboard blocks.

SQLite: an FTS5 ``trigram`` index over ``household.search_text`` (external content, kept in
step by triggers). PostgreSQL: a ``pg_trgm`` GIN index, which ``LIKE '%word%'`` uses as is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Household search index, dashboard indexes"

COMMON = (
    # archived_at IS NULL holds for nearly every row: a full index on it misleads the planner
    # (it walks that index, then sorts or fetches every row); only archived rows are indexed.
    "DROP INDEX IF EXISTS household_archived_at",
    "CREATE INDEX IF NOT EXISTS household_archived ON household (archived_at) "
    "WHERE archived_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS household_updated_at ON household (updated_at)",
    "CREATE INDEX IF NOT EXISTS enrolment_referent_exit ON enrolment (referent, exit_date)",
)

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS household_fts USING fts5("
    "search_text, content='household', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS household_fts_insert AFTER INSERT ON household BEGIN "
    "INSERT INTO household_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS household_fts_delete AFTER DELETE ON household BEGIN "
    "INSERT INTO household_fts (household_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS household_fts_update AFTER UPDATE OF search_text ON household "
    "BEGIN INSERT INTO household_fts (household_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO household_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO household_fts (household_fts) VALUES ('rebuild')",
)

POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS household_search_trgm ON household "
    "USING gin (search_text gin_trgm_ops)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        engine = Migration._meta.db
        for sql in COMMON + (SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES):
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
