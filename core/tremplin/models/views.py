"""Read views of the core tables: what plugins query, never what they write.

Each view is a Piccolo table class over the same database table as its core table (same
columns, same joins, usable in ``select``/``count``/``exists``/``objects`` and as the target
of a plugin table's ``ForeignKey``), whose writing methods raise :class:`ReadOnlyError`.
Plugins change core rows only through the commands of :mod:`tremplin.api`
(``create_enrolment``, ``apply_transition``, ``update_enrolment_data``, ``add_timeline_event``,
``record_audit``…), which check versions and audit.
"""

from __future__ import annotations

from typing import Any, NoReturn

from tremplin.models.accounts import PartnerOrganisation, User
from tremplin.models.households import Household, Membership, Person
from tremplin.models.records import Document, Enrolment, TimelineEvent

__all__ = [
    "Documents",
    "Enrolments",
    "Households",
    "Memberships",
    "PartnerOrganisations",
    "People",
    "ReadOnlyError",
    "TimelineEvents",
    "Users",
    "VIEWS",
]


class ReadOnlyError(TypeError):
    """A write was attempted through a read view of a core table."""


def _refuse(view: object, method: str) -> NoReturn:
    name = view.__name__ if isinstance(view, type) else type(view).__name__
    # i18n: developer (a plugin author's mistake)
    raise ReadOnlyError(
        f"{name} is a read view of a core table: {method}() is refused. Change core rows "
        "through the commands of tremplin.api (create_enrolment, apply_transition, "
        "update_enrolment_data, add_timeline_event, record_audit…)."
    )


class ReadOnly:
    """Mixin of the read views: every Piccolo method that writes raises."""

    @classmethod
    def insert(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "insert")

    @classmethod
    def update(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "update")

    @classmethod
    def delete(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "delete")

    @classmethod
    def raw(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "raw")

    @classmethod
    def create_table(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "create_table")

    @classmethod
    def alter(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "alter")

    @classmethod
    def add_m2m(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls, "add_m2m")

    def save(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self, "save")

    def remove(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self, "remove")

    def update_self(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self, "update_self")


class Households(ReadOnly, Household, tablename="household"):
    """Read view of the households."""


class People(ReadOnly, Person, tablename="person"):
    """Read view of the people."""


class Memberships(ReadOnly, Membership, tablename="membership"):
    """Read view of the household memberships."""


class Enrolments(ReadOnly, Enrolment, tablename="enrolment"):
    """Read view of the enrolments."""


class TimelineEvents(ReadOnly, TimelineEvent, tablename="timeline_event"):
    """Read view of the timeline."""


class Documents(ReadOnly, Document, tablename="document"):
    """Read view of the documents."""


class PartnerOrganisations(ReadOnly, PartnerOrganisation, tablename="partner_organisation"):
    """Read view of the partner organisations."""


class Users(ReadOnly, User, tablename="tremplin_user"):
    """Read view of the staff and partner accounts."""


#: Core table → its read view.
VIEWS: dict[type, type] = {
    Household: Households,
    Person: People,
    Membership: Memberships,
    Enrolment: Enrolments,
    TimelineEvent: TimelineEvents,
    Document: Documents,
    PartnerOrganisation: PartnerOrganisations,
    User: Users,
}
