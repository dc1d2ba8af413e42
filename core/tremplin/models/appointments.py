"""Appointments (*rendez-vous*) planned with a household, and personal calendar feeds."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from tremplin.models.accounts import User
from tremplin.models.households import Household
from tremplin.models.records import TimelineEvent


class Appointment(Table, tablename="appointment"):
    """A future event with a household: an office appointment, a planned home visit, a
    tripartite meeting, a CEJ meeting… Marked done, it becomes its timeline entry
    (``timeline_event``); indexes are created by ``tremplin_0015_appointments``."""

    id: Serial

    household = ForeignKey(Household, on_delete=OnDelete.restrict)
    programme = Varchar(length=50, default="")
    #: A timeline event type key: the kind of the entry it becomes once done.
    kind = Varchar(length=50)
    title = Varchar(length=200, default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    place = Varchar(length=200, default="")
    #: The people expected besides the worker (« le ménage, Mme L. de la Mission Locale »).
    attendees = Varchar(length=500, default="")
    notes = Text(default="")
    #: The worker in charge: whose calendar and feed show it.
    worker = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    #: ``planned``, ``done`` or ``cancelled``.
    status = Varchar(length=20, default="planned")
    timeline_event = ForeignKey(TimelineEvent, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CalendarFeed(Table, tablename="calendar_feed"):
    """A user's personal ICS feed: only the SHA-256 of its secret URL token is kept; revoking
    it (``revoked_at``) makes the URL answer 404 at once."""

    id: Serial

    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    #: Whether the feed carries households' names and places (off by default).
    with_names = Boolean(default=False)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
