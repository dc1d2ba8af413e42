"""Tables of the social residence: its furnished units and the derogations to two years."""

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from tremplin.api import Enrolment


class ResidenceUnit(Table, tablename="social_residence_unit"):
    """A furnished unit of the residence. ``dwelling_id`` optionally names the housing
    plugin's dwelling that carries its rent account (no foreign key across plugins)."""

    label = Varchar(length=40)
    typology = Varchar(length=8, default="T1")
    dwelling_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz()


class Derogation(Table, tablename="social_residence_derogation"):
    """A dated decision allowing a resident to stay beyond 24 months, until ``until``."""

    enrolment = ForeignKey(Enrolment, on_delete=OnDelete.restrict, index=True)
    decided_on = Date()
    until = Date()
    reason = Text()
    decided_by = Integer(null=True, default=None)
    created_at = Timestamptz()
