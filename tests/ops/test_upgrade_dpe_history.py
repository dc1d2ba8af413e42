"""Upgrade to the DPE history: the labels dwellings carry when ``housing_0011``/``0012`` run
become each dwelling's first record, in force from its diagnostic's date (else the day the
dwelling was recorded); a dwelling without a label gets none. On both engines."""

from __future__ import annotations

from tests.ops.upgrade_kit import T, blank_database, migrate_up_to
from tremplin import db
from tremplin.models import Household
from tremplin.plugins import load_plugins

HOUSING_BEFORE = "2026-12-02T01:10:00:000000"  # housing_0010: before the DPE history


async def test_upgrade_copies_current_labels_into_the_history(db_url, tmp_path):
    raw = Household.raw
    async with blank_database(db_url, tmp_path, load_plugins(None).piccolo_apps):
        await migrate_up_to(("tremplin", "all"), ("housing", HOUSING_BEFORE))
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
