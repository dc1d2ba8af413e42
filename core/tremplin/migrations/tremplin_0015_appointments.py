"""Appointments planned with households, and personal calendar (ICS) feeds."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

ID = "2026-12-02T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Appointments and calendar feeds"


# Snapshots of the tables as this migration knows them (not the live models).
class Household(Table, tablename="household"):
    pass


class User(Table, tablename="tremplin_user"):
    pass


class TimelineEvent(Table, tablename="timeline_event"):
    pass


class Appointment(Table, tablename="appointment"):
    household = ForeignKey(Household, on_delete=OnDelete.restrict)
    programme = Varchar(length=50, default="")
    kind = Varchar(length=50)
    title = Varchar(length=200, default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    place = Varchar(length=200, default="")
    attendees = Varchar(length=500, default="")
    notes = Text(default="")
    worker = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    status = Varchar(length=20, default="planned")
    timeline_event = ForeignKey(TimelineEvent, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CalendarFeed(Table, tablename="calendar_feed"):
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    with_names = Boolean(default=False)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


INDEXES = (
    # A worker's calendar and feed, the team calendar, the household page.
    "CREATE INDEX IF NOT EXISTS appointment_worker ON appointment (worker, starts_at)",
    "CREATE INDEX IF NOT EXISTS appointment_programme ON appointment (programme, starts_at)",
    "CREATE INDEX IF NOT EXISTS appointment_household ON appointment (household, starts_at)",
    "CREATE INDEX IF NOT EXISTS calendar_feed_user ON calendar_feed (owner)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        engine = Migration._meta.db
        for table in (Appointment, CalendarFeed):
            table._meta.db = engine
            await table.create_table(if_not_exists=True)
        for sql in INDEXES:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
