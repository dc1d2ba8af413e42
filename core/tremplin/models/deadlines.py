"""Due dates (*échéances*) the core computes from the programmes' declared deadlines."""

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from tremplin.models.accounts import User
from tremplin.models.households import Household
from tremplin.models.records import Enrolment


class DueDate(Table, tablename="due_date"):
    """One declared deadline of one enrolment, computed by the core.

    Derived data: rewritten by :func:`tremplin.services.deadlines.refresh` whenever the
    enrolment changes, never edited by hand. ``household``, ``programme`` and ``referent``
    are copied from the enrolment so that the dashboard and ``/echeances`` read one indexed
    table (indexes created by the migration ``tremplin_0012_due_dates``).
    """

    id: Serial

    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.cascade)
    household = ForeignKey(Household, on_delete=OnDelete.cascade)
    programme = Varchar(length=50)
    referent = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    key = Varchar(length=50)
    label = Varchar(length=200)
    due_on = Date()
    #: The day from which it is shown (``due_on`` minus the deadline's ``warn_days``).
    warn_from = Date()
    computed_at = Timestamptz()
