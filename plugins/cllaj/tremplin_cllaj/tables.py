"""Tables of the CLLAJ plugin: the youth housing desk (places, sessions, intakes,
workshops) and the steering committee of the young workers' sliding-lease path.

Desk intakes are deliberately not households: a young person met once at the Mission
Locale gets no file, only an anonymous line (initials at most) counted in the report.
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from tremplin.api import Enrolments


class DeskPlace(Table, tablename="cllaj_desk_place"):
    """A place where the desk is held (Mission Locale Saint-Étienne, Saint-Chamond…)."""

    id: Serial

    name = Varchar(length=120, unique=True)
    active = Boolean(default=True)
    created_at = Timestamptz()


class DeskSession(Table, tablename="cllaj_desk_session"):
    """A desk session (*permanence d'accueil-information-orientation*) on a day, at a place."""

    id: Serial

    place = ForeignKey(DeskPlace, on_delete=OnDelete.restrict, index=True)
    held_on = Date(index=True)
    counsellor = Integer(null=True, default=None)
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class DeskIntake(Table, tablename="cllaj_desk_intake"):
    """A young person received at a session: no name, only what the report counts."""

    id: Serial

    session = ForeignKey(DeskSession, on_delete=OnDelete.restrict, index=True)
    #: Initials or first name only, optional (data minimisation).
    initials = Varchar(length=20, default="")
    age = Integer(null=True, default=None)
    sex = Varchar(length=1, default="")
    prescriber = Varchar(length=40, default="", index=True)
    resources = Varchar(length=40, default="")
    situation = Varchar(length=40, default="")
    advice = Text(default="")
    #: ``open`` (follow-up under way), ``housed``, ``partner`` (handed over), ``lost``.
    status = Varchar(length=20, default="open", index=True)
    status_date = Date(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Workshop(Table, tablename="cllaj_workshop"):
    """A collective workshop (*atelier collectif*) for young people or for professionals."""

    id: Serial

    held_on = Date(index=True)
    theme = Varchar(length=200)
    audience = Varchar(length=20, default="young")
    co_facilitator = Varchar(length=200, default="")
    attendees = Integer(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class CommitteeMeeting(Table, tablename="cllaj_committee"):
    """A steering committee (*comité de pilotage*) of the sliding-lease path, every two months."""

    id: Serial

    held_on = Date(index=True)
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class CommitteeDecision(Table, tablename="cllaj_committee_decision"):
    """The committee's decision on one young person's situation."""

    id: Serial

    meeting = ForeignKey(CommitteeMeeting, on_delete=OnDelete.restrict, index=True)
    enrolment = ForeignKey(Enrolments, on_delete=OnDelete.restrict, index=True)
    decision = Varchar(length=20)
    comment = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
