"""Households (ménages), people and their memberships over time."""

from piccolo.columns import (
    JSON,
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

from tremplin.models.accounts import PartnerOrganisation, User


class Household(Table, tablename="household"):
    """A household followed by the association (*ménage*)."""

    id: Serial

    reference = Varchar(length=20, unique=True, index=True)
    name = Varchar(length=200)
    #: Lower-case, accent-free copy of the name, reference and members' names, for search
    #: that works the same on SQLite and PostgreSQL.
    search_text = Text(default="", index=True)
    composition = Varchar(length=40, default="")
    resources = JSON(default=[])
    situation_before_entry = Varchar(length=40, default="")
    address = Text(default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    external_id = Varchar(length=100, null=True, default=None, unique=True)
    version = Integer(default=1)
    #: Left the active base (no contact for the retention period after the end of support).
    #: Indexed by a partial index (archived rows only), see migration 0010.
    archived_at = Timestamptz(null=True, default=None)
    #: Names, contacts, free text and documents removed; the figures are kept.
    anonymised_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Person(Table, tablename="person"):
    """A person; ages are computed for a reference date, never stored."""

    id: Serial

    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    birth_date = Date(null=True, default=None)
    sex = Varchar(length=1, default="")
    #: Minimisation: France / EU / outside the EU only.
    nationality = Varchar(length=10, default="")
    external_id = Varchar(length=100, null=True, default=None, unique=True)
    version = Integer(default=1)
    created_at = Timestamptz()


class Membership(Table, tablename="membership"):
    """A person in a household for a period, with their relation to the reference person."""

    id: Serial

    household = ForeignKey(Household, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    relation = Varchar(length=30)
    start_date = Date()
    end_date = Date(null=True, default=None)


class Share(Table, tablename="share"):
    """A household shared with a partner organisation, with the household's consent.

    Access ends at ``ended_at`` or when the consent expires, on the next request.
    """

    id: Serial

    household = ForeignKey(Household, on_delete=OnDelete.restrict, index=True)
    partner = ForeignKey(PartnerOrganisation, on_delete=OnDelete.restrict, index=True)
    programme = Varchar(length=50)
    #: Field groups the partner may see (declared by the programme plugins).
    groups = JSON(default=[])
    consent_date = Date()
    consent_expires = Date(null=True, default=None)
    shared_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    ended_by = Integer(null=True, default=None)
