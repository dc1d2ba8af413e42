"""Upgrade to the DPE history: the labels dwellings carry when ``housing_0011``/``0012`` run
become each dwelling's first record, in force from its diagnostic's date (else the day the
dwelling was recorded); a dwelling without a label gets none. On both engines."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from tests.ops.test_upgrade import _settings
from tremplin import db
from tremplin.models import Household
from tremplin.plugins import load_plugins

HOUSING_BEFORE = "2026-12-02T01:10:00:000000"  # housing_0010: before the DPE history
T = "'2025-01-02 00:00:00+00:00'"


async def test_upgrade_copies_current_labels_into_the_history(db_url, tmp_path):
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        engine = db.create_engine(_settings(db_url))
        db.configure(engine, ["tremplin.piccolo_app"])
        await db.start(engine)
        await Household.raw("DROP SCHEMA public CASCADE")
        await Household.raw("CREATE SCHEMA public")
        await db.stop(engine)
    host = load_plugins(None)
    engine = db.create_engine(_settings(db_url))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    raw = Household.raw
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert (await run_forwards("tremplin")).success
            assert (await run_forwards("housing", migration_id=HOUSING_BEFORE)).success
        await raw(
            "INSERT INTO housing_owner (kind, name, created_at, updated_at) "
            f"VALUES ('private_person', 'ANCIEN Propriétaire', {T}, {T})"
        )
        for reference, dpe, day in (
            ("L-000001", "G", "'2021-04-01'"),
            ("L-000002", "F", "NULL"),
            ("L-000003", "", "NULL"),
        ):
            await raw(
                "INSERT INTO housing_dwelling (reference, owner, typology, status, dpe_class, "
                f"dpe_date, created_at, updated_at) VALUES ('{reference}', 1, 'T2', 'available', "
                f"'{dpe}', {day}, {T}, {T})"
            )
        await db.migrate()
        assert await db.pending_migrations() == {}
        rows = await raw(
            "SELECT d.reference, r.dpe_class, r.dpe_date, r.valid_from FROM housing_dpe_record r "
            "JOIN housing_dwelling d ON d.id = r.dwelling ORDER BY d.reference"
        )
        assert [
            (
                r["reference"],
                r["dpe_class"],
                str(r["dpe_date"] or "")[:10],
                str(r["valid_from"])[:10],
            )
            for r in rows
        ] == [
            ("L-000001", "G", "2021-04-01", "2021-04-01"),
            ("L-000002", "F", "", "2025-01-02"),
        ]
        fund = await raw("SELECT COUNT(*) AS n FROM housing_inventory WHERE fund_cents = 0")
        assert fund[0]["n"] == 0  # the column exists (no inventory yet)
    finally:
        await db.stop(engine)
