"""The ``due_date`` table: every enrolment's due dates computed from declared deadlines.

The rows are derived data: ``tremplin migrate`` fills them for existing enrolments right
after this migration (``tremplin.services.deadlines.refresh_all``), since computing them
needs the programmes' declarations, which a migration does not load.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-02T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Due dates computed from the programmes' deadlines"


# Snapshots of the tables as this migration knows them (not the live models).
class Household(Table, tablename="household"):
    pass


class Enrolment(Table, tablename="enrolment"):
    pass


class User(Table, tablename="tremplin_user"):
    pass


class DueDate(Table, tablename="due_date"):
    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.cascade)
    household = ForeignKey(Household, on_delete=OnDelete.cascade)
    programme = Varchar(length=50)
    referent = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    key = Varchar(length=50)
    label = Varchar(length=200)
    due_on = Date()
    warn_from = Date()
    computed_at = Timestamptz()


INDEXES = (
    # The dashboard and /echeances: walked in due-date order (the earliest, so overdue, first),
    # the programme and period filters checked on the way; a (programme, …) index would lure
    # the planner into sorting every row of a large programme.
    "CREATE INDEX IF NOT EXISTS due_date_due ON due_date (due_on, id)",
    "CREATE INDEX IF NOT EXISTS due_date_referent ON due_date (referent, due_on)",
    "CREATE INDEX IF NOT EXISTS due_date_enrolment ON due_date (enrolment)",
    "CREATE INDEX IF NOT EXISTS due_date_household ON due_date (household)",
    # The dashboard's alerts computed in SQL: the last visits of a kind since a day (house
    # mistress), and a programme's enrolments in a state by entry date, both covering.
    "CREATE INDEX IF NOT EXISTS timeline_event_kind_at "
    "ON timeline_event (kind, occurred_at, household)",
    "CREATE INDEX IF NOT EXISTS enrolment_programme_state_entry "
    "ON enrolment (programme, state, entry_date, household)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tremplin", description=DESCRIPTION)

    async def run():
        from piccolo.apps.migrations.tables import Migration

        engine = Migration._meta.db
        DueDate._meta.db = engine
        await DueDate.create_table(if_not_exists=True)
        for sql in INDEXES:
            await Migration.raw(sql)

    manager.add_raw(run)
    return manager
