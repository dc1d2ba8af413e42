"""Tables of the ``rental_agency`` plugin (all named ``rental_agency_…``).

Money is integer cents; dates are dates; timestamps are aware UTC; foreign keys are
``RESTRICT``. Dwellings and occupancies belong to the ``housing`` plugin: they are referred
to by their id (no foreign key across plugins, so the two apps migrate independently).
Unique and composite indexes are in ``rental_agency_0002_indexes``.
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

from tremplin.api import Households, Users

R = OnDelete.restrict


class Demand(Table, tablename="rental_agency_demand"):
    """A housing demand (*demande de logement*) of a household already on file: the file's
    composition and members are the household's own, never copied here."""

    id: Serial

    household = ForeignKey(Households, on_delete=R, index=True)
    #: Departmental unique-demand number (*numéro unique départemental*), optional.
    unique_number = Varchar(length=30, default="", index=True)
    #: Stable id given by an import (spreadsheet row), unique when set.
    external_id = Varchar(length=100, null=True, default=None)
    registered_on = Date(index=True)
    status = Varchar(length=30, default="registered", index=True)
    status_on = Date(index=True)
    cancel_note = Varchar(length=200, default="")
    situation = Varchar(length=40, default="", index=True)
    #: Main housing problems, comma-separated keys of ``vocab.HOUSING_PROBLEMS``.
    problems = Varchar(length=300, default="")
    monthly_resources_cents = Integer(default=0)
    wanted_typology = Varchar(length=10, default="", index=True)
    wanted_sector = Varchar(length=100, default="")
    max_rent_cents = Integer(default=0)
    housed_on = Date(null=True, default=None, index=True)
    version = Integer(default=1)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DeskAppointment(Table, tablename="rental_agency_appointment"):
    """An appointment at the demand desk (*permanence d'accueil de la demande*)."""

    id: Serial

    demand = ForeignKey(Demand, on_delete=R, index=True)
    household = ForeignKey(Households, on_delete=R, index=True)
    on_date = Date(index=True)
    attended = Boolean(default=True)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class Grid(Table, tablename="rental_agency_grid"):
    """One version of the scoring grid (*grille de cotation*). A version is never changed:
    editing the grid writes the next version, so past scores keep theirs."""

    id: Serial

    version = Integer(unique=True, index=True)
    smic_cents = Integer(default=139869)
    note = Varchar(length=200, default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class Criterion(Table, tablename="rental_agency_criterion"):
    """A criterion of a grid version: a rule computed from the demand, and its points."""

    id: Serial

    grid = ForeignKey(Grid, on_delete=R, index=True)
    position = Integer(default=0)
    label = Varchar(length=200)
    rule = Varchar(length=40)
    points = Integer(default=0)


class Session(Table, tablename="rental_agency_session"):
    """A meeting of the allocation committee (*CEDL*)."""

    id: Serial

    held_on = Date(index=True)
    #: Partner organisations present (ids of the core's partner organisations).
    partner_ids = Varchar(length=200, default="")
    #: Other attendants written out (names of organisations, never of households).
    attendants = Varchar(length=300, default="")
    notes = Text(default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class Presentation(Table, tablename="rental_agency_presentation"):
    """A file presented in a session, with its decision (one per file and session, unique
    index ``rental_agency_presentation_session_demand``) and the score it got then."""

    id: Serial

    session = ForeignKey(Session, on_delete=R, index=True)
    demand = ForeignKey(Demand, on_delete=R, index=True)
    decision = Varchar(length=20, default="", index=True)
    reason = Text(default="")
    decided_on = Date(null=True, default=None, index=True)
    #: The grid version the score was computed with, the total and its detail (JSON text).
    grid = ForeignKey(Grid, null=True, on_delete=R, index=True)
    score = Integer(null=True, default=None)
    score_detail = Text(default="")
    #: Manual criteria the committee ticked (criterion ids, comma-separated).
    ticked = Varchar(length=200, default="")
    decided_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class Allocation(Table, tablename="rental_agency_allocation"):
    """An accepted demand proposed a free dwelling of the housing stock (*attribution*);
    the lease signature opens the housing occupancy (``occupancy_id``)."""

    id: Serial

    demand = ForeignKey(Demand, on_delete=R, index=True)
    household = ForeignKey(Households, on_delete=R, index=True)
    dwelling_id = Integer(index=True)
    allocated_on = Date(index=True)
    status = Varchar(length=20, default="allocated", index=True)
    lease_signed_on = Date(null=True, default=None, index=True)
    occupancy_id = Integer(null=True, default=None)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class ArrearsCause(Table, tablename="rental_agency_arrears_cause"):
    """A cause of arrears the administrator added to the default list."""

    id: Serial

    key = Varchar(length=40, unique=True)
    label = Varchar(length=200)
    created_at = Timestamptz()


class ArrearsCommission(Table, tablename="rental_agency_arrears_commission"):
    """A monthly arrears commission (*commission de suivi des impayés*)."""

    id: Serial

    held_on = Date(index=True)
    threshold_cents = Integer(default=3000)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class ArrearsCase(Table, tablename="rental_agency_arrears_case"):
    """A tenant's arrears examined by a commission: the balance then, its cause, the decision
    and the outcome of the situation (one per household and commission)."""

    id: Serial

    commission = ForeignKey(ArrearsCommission, on_delete=R, index=True)
    household = ForeignKey(Households, on_delete=R, index=True)
    balance_cents = Integer(default=0)
    cause = Varchar(length=40, default="", index=True)
    decision = Text(default="")
    outcome = Varchar(length=20, default="pending", index=True)
    version = Integer(default=1)
    updated_by = ForeignKey(Users, null=True, on_delete=R)
    updated_at = Timestamptz()


class Territory(Table, tablename="rental_agency_territory"):
    """The agency's metropolis as the administrator sets it (one row; none: the default of
    :mod:`.territory`): its name and the postcodes or communes that form it, one a line."""

    id: Serial

    label = Varchar(length=100, default="")
    entries = Text(default="")
    version = Integer(default=1)
    updated_by = ForeignKey(Users, null=True, on_delete=R)
    updated_at = Timestamptz()


class FundGrant(Table, tablename="rental_agency_fund_grant"):
    """An aid of the agency's pooled works fund (*fonds mutualisé pour travaux*) to the works
    of a dwelling of its stock, other than at a tenant's departure (those are recorded with
    the exit inventory, in the ``housing`` plugin): energy improvement, an accompanied
    self-renovation site, other improvements to the agency's standard. ``dwelling_id`` is a
    ``housing`` dwelling (no foreign key across plugins)."""

    id: Serial
    dwelling_id = Integer(index=True)
    #: A key of ``vocab.FUND_FIELDS``.
    field = Varchar(length=30, index=True)
    granted_on = Date(index=True)
    amount_cents = Integer()
    works = Varchar(length=300, default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
