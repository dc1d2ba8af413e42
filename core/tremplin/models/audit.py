"""Append-only audit trail and double-submit protection."""

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what to which object, when, from where (never the values themselves)."""

    id: Serial

    at = Timestamptz(index=True)
    user_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=50)
    object_type = Varchar(length=50)
    object_id = Integer(null=True, default=None)
    fields = JSON(default=[])
    address = Varchar(length=64, default="")
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")


class FormSubmission(Table, tablename="form_submission"):
    """A form's one-time id: a second submission of the same form finds its first result."""

    id: Serial

    key = Varchar(length=64, unique=True, index=True)
    user_id = Integer()
    created_at = Timestamptz()
    result = Varchar(length=300, default="")
