"""The stay's derogations move to housing's one table of renewals
(``housing_agreement_renewal``, tied to the enrolment's occupancy when there is one), like the
sub-lease's, the youth IML's and J'APPART's: the residence's own table goes, and so does the
``derogation_until`` copy kept in the enrolment's declared-fields JSON (a derogation found
only there becomes a renewal row too)."""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T12:43:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "Stay derogations moved to housing's agreement renewals"

LATEST_OCCUPANCY = (
    "(SELECT o.id FROM housing_occupancy o WHERE o.enrolment = {} "
    "ORDER BY o.start_date DESC LIMIT 1)"
)
COPY = (
    "INSERT INTO housing_agreement_renewal "
    "(enrolment, occupancy, decided_on, until, derogation_reason, decided_by, created_at) "
    "SELECT d.enrolment, "
    "(SELECT o.id FROM housing_occupancy o WHERE o.enrolment = d.enrolment "
    "ORDER BY o.start_date DESC LIMIT 1), "
    "d.decided_on, d.until, d.reason, d.decided_by, d.created_at "
    "FROM social_residence_derogation d ORDER BY d.id"
)


async def move_derogations() -> None:
    from piccolo.apps.migrations.tables import Migration

    sqlite = Migration._meta.db.engine_type == "sqlite"
    await Migration.raw(COPY)
    copied = {
        r["enrolment"]
        for r in await Migration.raw("SELECT DISTINCT enrolment FROM social_residence_derogation")
    }
    rows = await Migration.raw(
        "SELECT id, data FROM enrolment WHERE programme = 'social_residence' "
        "AND CAST(data AS TEXT) LIKE '%derogation_until%'"
    )
    for row in rows:
        data = row["data"]
        data = json.loads(data) if isinstance(data, str) else dict(data or {})
        until = data.pop("derogation_until", None)
        if until and row["id"] not in copied:
            day = dt.date.fromisoformat(str(until)[:10])
            await Migration.raw(
                "INSERT INTO housing_agreement_renewal (enrolment, occupancy, decided_on, until, "
                "derogation_reason, decided_by, created_at) "
                f"VALUES ({{}}, {LATEST_OCCUPANCY}, {{}}, {{}}, '', NULL, {{}})",
                row["id"],
                row["id"],
                day.isoformat() if sqlite else day,
                day.isoformat() if sqlite else day,
                dt.datetime.now(dt.UTC).isoformat() if sqlite else dt.datetime.now(dt.UTC),
            )
        await Migration.raw(
            "UPDATE enrolment SET data = {} WHERE id = {}", json.dumps(data), row["id"]
        )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="social_residence", description=DESCRIPTION
    )
    # Raw steps run before the table drop below, in the same transaction.
    manager.add_raw(move_derogations)
    manager.drop_table(class_name="Derogation", tablename="social_residence_derogation")
    return manager
