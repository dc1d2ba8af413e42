"""Enrolments in programmes, the timeline and documents."""

from piccolo.columns import (
    JSON,
    BigInt,
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

from tremplin.models.accounts import User
from tremplin.models.households import Household


class Enrolment(Table, tablename="enrolment"):
    """A household in a programme for a period (*mesure*, *prise en charge*)."""

    id: Serial

    household = ForeignKey(Household, on_delete=OnDelete.restrict, index=True)
    programme = Varchar(length=50, index=True)
    state = Varchar(length=50, index=True)
    referral_date = Date(null=True, default=None)
    prescriber = Varchar(length=50, default="")
    referent = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    decision_date = Date(null=True, default=None)
    entry_date = Date(null=True, default=None, index=True)
    exit_date = Date(null=True, default=None, index=True)
    exit_reason = Varchar(length=100, default="")
    exit_destination = Varchar(length=50, default="")
    #: The programme plugin's own fields, validated by its field declarations.
    data = JSON(default={})
    #: Stable id from an imported spreadsheet: importing twice updates instead of duplicating.
    #: Unique through the index ``enrolment_external_id`` (SQLite cannot add a UNIQUE column).
    external_id = Varchar(length=100, null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TimelineEvent(Table, tablename="timeline_event"):
    """Something that happened in a household's file (note, visit, state change…)."""

    id: Serial

    household = ForeignKey(Household, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=50, index=True)
    occurred_at = Timestamptz(index=True)
    author = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    programme = Varchar(length=50, default="")
    #: ``staff`` (the programme's staff) or ``partner`` (also shared partners).
    visibility = Varchar(length=20, default="staff")
    title = Varchar(length=200, default="")
    body = Text(default="")
    data = JSON(default={})
    created_at = Timestamptz()


class Document(Table, tablename="document"):
    """An uploaded file, stored under the data dir by content hash, never in the web root."""

    id: Serial

    household = ForeignKey(Household, null=True, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=50, default="other")
    filename = Varchar(length=255)
    sha256 = Varchar(length=64, index=True)
    size = BigInt()
    mime = Varchar(length=100)
    valid_until = Date(null=True, default=None)
    programme = Varchar(length=50, default="")
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    uploaded_at = Timestamptz()


class ReportNarrative(Table, tablename="report_narrative"):
    """Text staff write for a report section (objectives, notable facts, *parcours*)."""

    id: Serial

    programme = Varchar(length=50, index=True)
    year = Integer()
    section = Varchar(length=50)
    text = Text(default="")
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    updated_at = Timestamptz()


class ProgrammeCapacity(Table, tablename="programme_capacity"):
    """The places of a programme in a year, as the administrator sets them (*capacité*),
    with an optional sub-count (« dont 9 places jeunes »). One row per programme and year."""

    id: Serial

    programme = Varchar(length=50)
    year = Integer()
    places = Integer(default=0)
    sub_places = Integer(null=True, default=None)
    sub_label = Varchar(length=100, default="")
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    updated_at = Timestamptz()


class GeneratedReport(Table, tablename="generated_report"):
    """A generated PDF, kept with the data it was made from so it can be reproduced."""

    id: Serial

    programme = Varchar(length=50, index=True)
    year = Integer(index=True)
    data = JSON(default={})
    sha256 = Varchar(length=64)
    size = BigInt()
    generated_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    generated_at = Timestamptz()
