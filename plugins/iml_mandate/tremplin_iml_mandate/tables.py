"""Tables of the ``iml_mandate`` plugin: stabilisation axes and funded measures per year."""

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from tremplin.api import Enrolments, Households


class StabilisationAxis(Table, tablename="iml_mandate_axis"):
    """One axis of the stabilisation in the dwelling (budget, employment…) for one enrolment:
    the goals agreed with the household and how far they are reached. One row per axis
    (unique index ``iml_mandate_axis_enrolment_axis``)."""

    id: Serial

    enrolment = ForeignKey(Enrolments, on_delete=OnDelete.restrict, index=True)
    household = ForeignKey(Households, on_delete=OnDelete.restrict, index=True)
    axis = Varchar(length=30)
    goals = Text(default="")
    progress = Varchar(length=20, default="not_started")
    comment = Text(default="")
    reviewed_on = Date(null=True, default=None)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class FundedMeasures(Table, tablename="iml_mandate_funded"):
    """How many measures a funder finances for a programme and a year (e.g. 20 by the State
    for the IML under mandate). Unique on (programme, year)."""

    id: Serial

    programme = Varchar(length=50, index=True)
    year = Integer(index=True)
    funded = Integer(default=0)
    funder = Varchar(length=100, default="")
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()
