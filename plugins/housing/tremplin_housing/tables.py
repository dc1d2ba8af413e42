"""Tables of the ``housing`` capability plugin (all named ``housing_…``).

Money is integer cents; dates are dates; timestamps are aware UTC. Every foreign key is
``RESTRICT``: a household, a dwelling or an occupancy with a rent account is never deleted
by accident. Composite and unique indexes are in ``housing_0002_indexes``.
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

from tremplin.api import Documents, Enrolments, Households, Users

R = OnDelete.restrict


class Owner(Table, tablename="housing_owner"):
    """A dwelling's owner (*propriétaire*): private person, social landlord or company."""

    id: Serial

    kind = Varchar(length=30, index=True)
    name = Varchar(length=200, index=True)
    contact_name = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    address = Text(default="")
    notes = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Dwelling(Table, tablename="housing_dwelling"):
    """A dwelling (*logement*) the association prospects, manages or has returned."""

    id: Serial

    reference = Varchar(length=20, unique=True, index=True)
    owner = ForeignKey(Owner, on_delete=R, index=True)
    address = Text(default="")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    #: Normalised reference, address, city and owner, for accent-insensitive search.
    search_text = Text(default="", index=True)
    typology = Varchar(length=10, index=True)
    surface_m2 = Integer(null=True, default=None)
    furnished = Boolean(default=False)
    stock = Varchar(length=10, default="private", index=True)
    dpe_class = Varchar(length=1, default="", index=True)
    dpe_date = Date(null=True, default=None)
    status = Varchar(length=20, default="prospect", index=True)
    #: Key of the programme that uses the dwelling ("" when none yet).
    programme = Varchar(length=50, default="", index=True)
    #: The address is shown only to those allowed (Alter Logement: victims of violence).
    confidential = Boolean(default=False, index=True)
    #: The owner was first contacted (prospection, *captation*).
    contacted_on = Date(null=True, default=None, index=True)
    captured_on = Date(null=True, default=None, index=True)
    returned_on = Date(null=True, default=None, index=True)
    return_reason = Varchar(length=30, default="")
    notes = Text(default="")
    version = Integer(default=1)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class HeadLease(Table, tablename="housing_head_lease"):
    """The association's lease or management mandate with the owner (*bail*, *mandat*)."""

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    kind = Varchar(length=20)
    start_date = Date()
    end_date = Date(null=True, default=None)
    rent_cents = Integer(default=0)
    charges_cents = Integer(default=0)
    notice_given_on = Date(null=True, default=None)
    notice_months = Integer(default=3)
    created_at = Timestamptz()


class Vacancy(Table, tablename="housing_vacancy"):
    """A period with no occupant, with its cause (*vacance*); its cost is computed."""

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    start_date = Date(index=True)
    end_date = Date(null=True, default=None)
    cause = Varchar(length=30)
    note = Varchar(length=200, default="")
    created_at = Timestamptz()


class Occupancy(Table, tablename="housing_occupancy"):
    """A household in a dwelling for a period: occupancy agreement, direct lease or
    residence contract. ``end_date`` is the last day of occupancy (inclusive).

    ``enrolment`` is the programme enrolment whose entry opened it (its transition effects):
    the entry date is that enrolment's, the exit closes it. ``None`` for an occupancy
    recorded by hand before programmes housed people through their workflow.
    """

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    household = ForeignKey(Households, on_delete=R, index=True)
    enrolment = ForeignKey(Enrolments, null=True, on_delete=R, index=True)
    kind = Varchar(length=20)
    programme = Varchar(length=50, default="", index=True)
    start_date = Date(index=True)
    end_date = Date(null=True, default=None, index=True)
    exit_reason = Varchar(length=30, default="")
    #: The occupancy this one continues after a transfer from another dwelling.
    transferred_from = Integer(null=True, default=None, index=True)
    insurance_expires_on = Date(null=True, default=None)
    deposit_cents = Integer(default=0)
    version = Integer(default=1)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RentTerms(Table, tablename="housing_rent_terms"):
    """Rent, charges and directly-paid housing benefit from ``effective_from`` on: a
    yearly revision is a new row, never a new occupancy."""

    id: Serial

    occupancy = ForeignKey(Occupancy, on_delete=R, index=True)
    effective_from = Date()
    rent_cents = Integer()
    charges_cents = Integer(default=0)
    #: APL/AL paid directly to the association (*tiers payant*) each month.
    benefit_cents = Integer(default=0)
    reason = Varchar(length=30, default="entry")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class LedgerEntry(Table, tablename="housing_ledger_entry"):
    """One line of an occupancy's rent account, always a positive amount of cents.

    ``call`` (rent + charges called for ``month``) adds to the balance; ``benefit``
    (housing benefit paid directly) and ``payment`` (paid by the household) reduce it.
    A month is called once per occupancy (unique occupancy, kind, month); a payment form is
    recorded once (unique ``form_id``).
    """

    id: Serial

    occupancy = ForeignKey(Occupancy, on_delete=R, index=True)
    household = ForeignKey(Households, on_delete=R, index=True)
    kind = Varchar(length=10, index=True)
    entry_date = Date(index=True)
    month = Date(null=True, default=None, index=True)
    rent_cents = Integer(default=0)
    charges_cents = Integer(default=0)
    amount_cents = Integer()
    means = Varchar(length=20, default="")
    form_id = Varchar(length=64, null=True, default=None, unique=True)
    note = Varchar(length=200, default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class BalanceSpan(Table, tablename="housing_balance_span"):
    """A household's rent-account balance (all its occupancies) from ``from_day`` up to
    ``to_day`` excluded (:data:`~tremplin_housing.balances.FAR_DAY` until a later entry),
    with its last payment (:data:`~tremplin_housing.balances.NEVER_PAID` if none).

    Derived from :class:`LedgerEntry` only, rebuilt in the transaction of every ledger
    write (:func:`tremplin_housing.balances.refresh_balances`): one row per day the balance
    moves, so the balance at any date is one indexed row and the arrears review sorts in SQL.
    """

    household = ForeignKey(Households, on_delete=R, index=True)
    from_day = Date()
    to_day = Date()
    balance_cents = Integer()
    last_payment = Date()


class DepositInstalment(Table, tablename="housing_deposit_instalment"):
    """A part of the deposit (*dépôt de garantie*): half at signature, the rest a month later."""

    id: Serial

    occupancy = ForeignKey(Occupancy, on_delete=R, index=True)
    due_on = Date()
    amount_cents = Integer()
    paid_on = Date(null=True, default=None)


class Inventory(Table, tablename="housing_inventory"):
    """An entry or exit inventory (*état des lieux*); photos go to the household documents."""

    id: Serial

    occupancy = ForeignKey(Occupancy, on_delete=R, index=True)
    kind = Varchar(length=10)
    done_on = Date()
    notes = Text(default="")
    #: At an exit: what the works fund (*fonds mutualisé pour travaux*) granted for the
    #: tenant's repairs the departing household did not do (0: none).
    fund_cents = Integer(default=0)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class ArrearsStep(Table, tablename="housing_arrears_step"):
    """A dated step of the arrears procedure (reminder, formal notice… eviction)."""

    id: Serial

    household = ForeignKey(Households, on_delete=R, index=True)
    occupancy = ForeignKey(Occupancy, null=True, on_delete=R, index=True)
    step = Varchar(length=30, index=True)
    done_on = Date(index=True)
    note = Text(default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class Intervention(Table, tablename="housing_intervention"):
    """A maintenance intervention requested in a dwelling: who is liable (occupant, owner
    or the association), who does it (the team, a company, an insertion workshop), its cost.
    ``household`` is the occupant on the day it was requested (``None`` if empty)."""

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    household = ForeignKey(Households, null=True, on_delete=R, index=True)
    requested_on = Date(index=True)
    description = Text(default="")
    liable = Varchar(length=20)
    cost_cents = Integer(default=0)
    done_by = Varchar(length=20, index=True)
    done_on = Date(null=True, default=None, index=True)
    status = Varchar(length=20, default="requested", index=True)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    #: Checked on each follow-up save (two people editing at once: the second gets a conflict).
    version = Integer(default=1)


class AgreementRenewal(Table, tablename="housing_agreement_renewal"):
    """A dated decision extending an occupancy agreement (*renouvellement*, or a derogation
    beyond the programme's maximum, with its reason): the one table of every programme's
    renewals. The agreement's end is the last renewal's ``until`` (the first term's end
    while there is none)."""

    id: Serial

    enrolment = ForeignKey(Enrolments, on_delete=R, index=True)
    occupancy = ForeignKey(Occupancy, null=True, on_delete=R, index=True)
    decided_on = Date()
    #: The new end of the agreement.
    until = Date(index=True)
    #: Why the programme's maximum is exceeded (required only then).
    derogation_reason = Text(default="")
    decided_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class HousingSettings(Table, tablename="housing_settings"):
    """The association's housing settings (one row; defaults apply while there is none)."""

    id: Serial

    #: A household is in arrears when its balance exceeds this (the seeds: 30 €).
    arrears_threshold_cents = Integer(default=3000)
    updated_by = ForeignKey(Users, null=True, on_delete=R)
    updated_at = Timestamptz()
    version = Integer(default=1)


class RepaymentPlan(Table, tablename="housing_repayment_plan"):
    """A repayment plan (*plan d'apurement*) of a household's rent debt: instalments on top
    of the current rent, from ``start_date``. Whether it is kept is computed."""

    id: Serial

    household = ForeignKey(Households, on_delete=R, index=True)
    occupancy = ForeignKey(Occupancy, null=True, on_delete=R, index=True)
    start_date = Date(index=True)
    debt_cents = Integer()
    note = Text(default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class PlanInstalment(Table, tablename="housing_plan_instalment"):
    """One instalment (*échéance*) of a repayment plan."""

    id: Serial

    plan = ForeignKey(RepaymentPlan, on_delete=R, index=True)
    due_on = Date(index=True)
    amount_cents = Integer()


class AidApplication(Table, tablename="housing_aid_application"):
    """An application for help with the rent debt: FSL, VISALE guarantee claim, another
    fund; its outcome; a granted aid paid to the association is a ledger credit
    (``ledger_entry``)."""

    id: Serial

    household = ForeignKey(Households, on_delete=R, index=True)
    occupancy = ForeignKey(Occupancy, null=True, on_delete=R, index=True)
    kind = Varchar(length=20, index=True)
    applied_on = Date(index=True)
    requested_cents = Integer(default=0)
    outcome = Varchar(length=20, default="pending", index=True)
    decided_on = Date(null=True, default=None)
    granted_cents = Integer(default=0)
    ledger_entry = Integer(null=True, default=None)
    note = Text(default="")
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Claim(Table, tablename="housing_claim"):
    """A damage in a dwelling and the insurance claim (*sinistre*): water damage, fire…
    ``household`` is the occupant on the day it happened (``None`` if empty)."""

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    household = ForeignKey(Households, null=True, on_delete=R, index=True)
    occurred_on = Date(index=True)
    kind = Varchar(length=30, index=True)
    description = Text(default="")
    insurer = Varchar(length=200, default="")
    claim_reference = Varchar(length=100, default="")
    claimed_cents = Integer(default=0)
    received_cents = Integer(default=0)
    status = Varchar(length=20, default="declared", index=True)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=1)


class DpeRecord(Table, tablename="housing_dpe_record"):
    """One energy label (DPE) of a dwelling, in force from ``valid_from`` (the diagnostic's
    date, else the day it was recorded): the history of the dwelling's labels. Written in the
    same transaction as the dwelling whenever its label or diagnostic date changes."""

    id: Serial

    dwelling = ForeignKey(Dwelling, on_delete=R, index=True)
    dpe_class = Varchar(length=1, default="")
    dpe_date = Date(null=True, default=None, index=True)
    valid_from = Date(index=True)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


class InventoryPhoto(Table, tablename="housing_inventory_photo"):
    """A photo (a household document) attached to an entry or exit inventory."""

    id: Serial

    inventory = ForeignKey(Inventory, on_delete=R, index=True)
    document = ForeignKey(Documents, on_delete=R, index=True)
    created_by = ForeignKey(Users, null=True, on_delete=R)
    created_at = Timestamptz()


TABLES = [
    Owner,
    Dwelling,
    HeadLease,
    Vacancy,
    Occupancy,
    RentTerms,
    LedgerEntry,
    BalanceSpan,
    DepositInstalment,
    Inventory,
    ArrearsStep,
    Intervention,
    HousingSettings,
    RepaymentPlan,
    PlanInstalment,
    AidApplication,
    Claim,
    InventoryPhoto,
    AgreementRenewal,
    DpeRecord,
]
