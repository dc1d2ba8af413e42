"""Existing data joins the one journey (*un fait, un enregistrement*):

- each occupancy recorded by hand is tied to the enrolment of the same household and
  programme it belongs to; one still open after that enrolment's exit is closed on the exit
  date, and its dwelling becomes available again with a vacancy from the next day;
- a vacancy left open after an occupancy started is closed the day before the entry;
- the agreement renewals and derogations that the youth IML and J'APPART kept in the
  enrolment's ``data`` (``renewal_history``, ``derogation_history`` and their counters) move
  to ``housing_agreement_renewal``; the counters leave the declared-fields JSON.
"""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T00:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing journey data: occupancies tied to enrolments, renewals in one table"

#: The programmes whose occupancy agreement was kept in the enrolment's data (the youth
#: IML's renewals, J'APPART's derogations; the sub-lease's counter beside its own table).
#: Other programmes' ``derogation_*`` keys (the residence's stay) are theirs and stay.
AGREEMENT_PROGRAMMES = ("iml_youth", "cllaj_jappart", "iml_sublease")

#: Keys of the enrolment's data that held computed agreement state.
COMPUTED_KEYS = (
    "renewals",
    "renewal_history",
    "derogation_until",
    "derogation_reason",
    "derogation_history",
)


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def migrate_data() -> None:
    from piccolo.apps.migrations.tables import Migration

    sqlite = Migration._meta.db.engine_type == "sqlite"

    def p(value):
        """A parameter as the engine takes it (ISO text on SQLite)."""
        if sqlite and isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        return value

    async def raw(sql: str, *args):
        return await Migration.raw(sql, *[p(a) for a in args])

    # A vacancy still open although an occupant entered since.
    for v in await raw(
        "SELECT v.id, v.start_date, MIN(o.start_date) AS entered FROM housing_vacancy v "
        "JOIN housing_occupancy o ON o.dwelling = v.dwelling AND o.start_date >= v.start_date "
        "WHERE v.end_date IS NULL GROUP BY v.id, v.start_date"
    ):
        start, entered = _date(v["start_date"]), _date(v["entered"])
        await raw(
            "UPDATE housing_vacancy SET end_date = {} WHERE id = {}",
            max(start, entered - dt.timedelta(days=1)),
            v["id"],
        )

    enrolments = await raw(
        "SELECT id, household, programme, entry_date, exit_date FROM enrolment "
        "WHERE entry_date IS NOT NULL"
    )
    by_household: dict[tuple[int, str], list[dict]] = {}
    for e in enrolments:
        by_household.setdefault((e["household"], e["programme"]), []).append(e)
    occupancies = await raw(
        "SELECT id, household, programme, dwelling, start_date, end_date "
        "FROM housing_occupancy WHERE enrolment IS NULL"
    )
    today = dt.date.today()
    for o in occupancies:
        start = _date(o["start_date"])
        candidates = by_household.get((o["household"], o["programme"]), [])
        if not candidates:
            continue
        enrolment = min(candidates, key=lambda e: abs((_date(e["entry_date"]) - start).days))
        await raw(
            "UPDATE housing_occupancy SET enrolment = {} WHERE id = {}", enrolment["id"], o["id"]
        )
        exit_date = _date(enrolment["exit_date"])
        if exit_date is None or o["end_date"] is not None:
            continue
        end = max(exit_date, start)
        await raw(
            "UPDATE housing_occupancy SET end_date = {}, exit_reason = 'end' WHERE id = {}",
            end,
            o["id"],
        )
        still = await raw(
            "SELECT id FROM housing_occupancy WHERE dwelling = {} AND end_date IS NULL",
            o["dwelling"],
        )
        if not still:
            await raw(
                "UPDATE housing_dwelling SET status = 'available' "
                "WHERE id = {} AND status = 'occupied'",
                o["dwelling"],
            )
            if (
                not await raw(
                    "SELECT id FROM housing_vacancy WHERE dwelling = {} AND end_date IS NULL",
                    o["dwelling"],
                )
                and end < today
            ):
                await raw(
                    "INSERT INTO housing_vacancy (dwelling, start_date, cause, note, created_at) "
                    "VALUES ({}, {}, 'between_occupants', '', {})",
                    o["dwelling"],
                    end + dt.timedelta(days=1),
                    dt.datetime.now(dt.UTC),
                )

    # Renewals and derogations kept in the enrolment's JSON.
    rows = await raw(
        "SELECT id, data FROM enrolment WHERE programme IN ({}) AND "
        "(CAST(data AS TEXT) LIKE '%renewal%' OR CAST(data AS TEXT) LIKE '%derogation%')".format(
            ", ".join(f"'{key}'" for key in AGREEMENT_PROGRAMMES)
        )
    )
    for row in rows:
        data = row["data"]
        data = json.loads(data) if isinstance(data, str) else dict(data or {})
        if not any(k in data for k in COMPUTED_KEYS):
            continue
        occupancy = await raw(
            "SELECT id FROM housing_occupancy WHERE enrolment = {} ORDER BY start_date DESC",
            row["id"],
        )
        occupancy_id = occupancy[0]["id"] if occupancy else None
        decisions = [
            (h.get("decided_on"), h.get("until"), h.get("derogation_reason", ""), h)
            for h in data.get("renewal_history", [])
        ] + [
            (h.get("decided_on"), h.get("until"), h.get("reason", ""), h)
            for h in data.get("derogation_history", [])
        ]
        for decided_on, until, reason, h in decisions:
            if not until:
                continue
            await raw(
                "INSERT INTO housing_agreement_renewal (enrolment, occupancy, decided_on, until, "
                "derogation_reason, decided_by, created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
                row["id"],
                occupancy_id,
                _date(decided_on) or _date(until),
                _date(until),
                reason or "",
                h.get("decided_by"),
                dt.datetime.now(dt.UTC),
            )
        kept = {k: v for k, v in data.items() if k not in COMPUTED_KEYS}
        await raw("UPDATE enrolment SET data = {} WHERE id = {}", json.dumps(kept), row["id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    manager.add_raw(migrate_data)
    return manager
