"""The set-up the upgrade tests share: a blank database on either engine (a new SQLite file,
or PostgreSQL's ``public`` schema emptied of what the template brought), configured for some
Piccolo apps and migrated up to a given migration of each, before the test writes data under
that earlier schema and runs every later migration."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards

from tremplin import db
from tremplin.models import Household

#: A timestamp every upgrade test writes its rows with.
T = "'2025-01-02 00:00:00+00:00'"


def settings(url: str):
    from tremplin.config import Settings

    return Settings(database_url=url)


@contextlib.asynccontextmanager
async def blank_database(db_url: str, tmp_path: Path, apps: list[str]) -> AsyncIterator[Any]:
    """A started engine on a database with no table, configured for ``apps``; stopped after."""
    if db_url.startswith("sqlite"):
        # A blank database, not the migrated template the other tests start from.
        db_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        engine = db.create_engine(settings(db_url))
        db.configure(engine, ["tremplin.piccolo_app"])
        await db.start(engine)
        # Start from nothing: drop what the template brought.
        await Household.raw("DROP SCHEMA public CASCADE")
        await Household.raw("CREATE SCHEMA public")
        await db.stop(engine)
    engine = db.create_engine(settings(db_url))
    db.configure(engine, apps)
    await db.start(engine)
    try:
        yield engine
    finally:
        await db.stop(engine)


async def migrate_up_to(*steps: tuple[str, str]) -> None:
    """Run each app's migrations up to the id given (``"all"``: every one), quietly."""
    with contextlib.redirect_stdout(io.StringIO()):
        for app, migration_id in steps:
            assert (await run_forwards(app, migration_id=migration_id)).success, app
