"""Fill the balance timeline from the existing ledgers and index it for the arrears review:
the span in force at a date (``to_day``, ``from_day``), the sorts by balance and by last
payment (keyset on the household id)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:58:42:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing balance timeline: backfill and indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS housing_balance_span_household_from "
    "ON housing_balance_span (household, from_day)",
    "CREATE INDEX IF NOT EXISTS housing_balance_span_to_from "
    "ON housing_balance_span (to_day, from_day)",
    # The largest debt first, ties by household: one index walk, no sort.
    "CREATE INDEX IF NOT EXISTS housing_balance_span_balance "
    "ON housing_balance_span (balance_cents DESC, household)",
    "CREATE INDEX IF NOT EXISTS housing_balance_span_payment "
    "ON housing_balance_span (last_payment, household)",
)

# Frozen copies of the rule at the time of this migration (a migration never imports the
# plugin's code, which may change later).
SIGNS = {"call": 1, "benefit": -1, "payment": -1, "aid": -1}
FAR_DAY = dt.date(9999, 12, 31)
NEVER_PAID = dt.date(1, 1, 1)


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def backfill() -> None:
    from piccolo.apps.migrations.tables import Migration

    sqlite = Migration._meta.db.engine_type == "sqlite"

    def p(value):
        return value.isoformat() if sqlite else value

    per: dict[int, dict[dt.date, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for r in await Migration.raw(
        "SELECT household, entry_date, kind, SUM(amount_cents) AS total "
        "FROM housing_ledger_entry GROUP BY household, entry_date, kind"
    ):
        per[r["household"]][_date(r["entry_date"])].append((r["kind"], int(r["total"] or 0)))
    await Migration.raw("DELETE FROM housing_balance_span")
    for household, by_day in sorted(per.items()):
        days = sorted(by_day)
        balance, last_payment = 0, NEVER_PAID
        for index, day in enumerate(days):
            for kind, amount in by_day[day]:
                balance += SIGNS[kind] * amount
                if kind == "payment":
                    last_payment = day
            await Migration.raw(
                "INSERT INTO housing_balance_span "
                "(household, from_day, to_day, balance_cents, last_payment) "
                "VALUES ({}, {}, {}, {}, {})",
                household,
                p(day),
                p(days[index + 1] if index + 1 < len(days) else FAR_DAY),
                balance,
                p(last_payment),
            )


async def create_indexes() -> None:
    from piccolo.apps.migrations.tables import Migration

    for sql in STATEMENTS:
        await Migration.raw(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    manager.add_raw(backfill)
    manager.add_raw(create_indexes)
    return manager
