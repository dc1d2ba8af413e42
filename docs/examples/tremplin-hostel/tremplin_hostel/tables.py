"""Tables of the ``hostel`` plugin: they may reference core tables, never another plugin's."""

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text
from piccolo.table import Table

from tremplin.api import Enrolments


class Review(Table, tablename="hostel_review"):
    """A dated review (*bilan d'étape*) of one enrolment."""

    id: Serial

    enrolment = ForeignKey(Enrolments, on_delete=OnDelete.restrict, index=True)
    held_on = Date()
    summary = Text(default="")
