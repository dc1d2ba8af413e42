"""Core tables (one Piccolo app, ``tremplin``)."""

from tremplin.models.accounts import (
    ApiToken,
    LoginAttempt,
    PartnerOrganisation,
    User,
    UserSession,
)
from tremplin.models.appointments import Appointment, CalendarFeed
from tremplin.models.audit import AuditEntry, FormSubmission
from tremplin.models.deadlines import DueDate
from tremplin.models.households import Household, Membership, Person, Share
from tremplin.models.jobs import Job
from tremplin.models.records import (
    Document,
    Enrolment,
    GeneratedReport,
    ProgrammeCapacity,
    ReportNarrative,
    TimelineEvent,
)

__all__ = [
    "ApiToken",
    "Appointment",
    "CalendarFeed",
    "AuditEntry",
    "Document",
    "DueDate",
    "Enrolment",
    "FormSubmission",
    "GeneratedReport",
    "Household",
    "Job",
    "LoginAttempt",
    "Membership",
    "PartnerOrganisation",
    "ProgrammeCapacity",
    "Person",
    "ReportNarrative",
    "Share",
    "TimelineEvent",
    "User",
    "UserSession",
]

CORE_TABLES = [
    PartnerOrganisation,
    User,
    UserSession,
    ApiToken,
    Household,
    Person,
    Membership,
    Enrolment,
    TimelineEvent,
    Document,
    AuditEntry,
    FormSubmission,
    LoginAttempt,
    Share,
    ReportNarrative,
    GeneratedReport,
    ProgrammeCapacity,
    DueDate,
    Appointment,
    CalendarFeed,
    Job,
]
