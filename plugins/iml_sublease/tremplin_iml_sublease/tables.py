"""Tables of the IML sub-lease programme."""

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz
from piccolo.table import Table

from tremplin.api import Enrolment


class AgreementRenewal(Table, tablename="iml_sublease_renewal"):
    """A dated decision to renew the 3-month occupancy agreement (*convention d'occupation*)."""

    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.restrict, index=True)
    decided_on = Date()
    #: The new end of the agreement.
    until = Date()
    #: Why the 18-month maximum is exceeded (required only then).
    derogation_reason = Text(default="")
    decided_by = Integer(null=True, default=None)
    created_at = Timestamptz()
