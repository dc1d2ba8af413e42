"""The public API of the ``housing`` plugin: the only module a programme plugin that
declares ``depends_on=("housing",)`` may import from it.

Most of it reads; amounts are integer cents, dates are :class:`datetime.date`. Two parts
write, always inside a core transaction:

- the **journey effects** a programme puts on its transitions (``Transition.effects``), so
  that one action records one fact: :func:`enter_dwelling` (the entry opens the occupancy
  and its rent terms in the dwelling chosen in :func:`dwelling_field`, and closes the
  vacancy), :func:`leave_dwelling` (the exit closes the occupancy and its agreement, and
  opens the vacancy), :func:`move_dwelling` (a change of dwelling, the transition
  :func:`change_of_dwelling`); and their building
  blocks :func:`open_occupancy`, :func:`close_occupancy`, :func:`move_occupancy` for a
  programme whose units map to dwellings (boarding houses, the residence);
- the **occupancy agreement**: a programme declares its :class:`tremplin.api.AgreementPolicy`
  on its ``Programme``; :func:`renew_agreement` records a renewal or a derogation in the one
  table of renewals, :func:`agreement_ends` and :func:`agreement_renewals` read them;
- **ready-made declarations** (:mod:`tremplin_housing.programme`): :func:`entry_transition`,
  :func:`renewal_transition` and :func:`agreement_deadline` (the agreement's end as a deadline
  the core computes), the usual parts of a programme that houses people.

Example of a programme that sub-lets::

    Transition("enter", "Entrée dans le logement", ("admitted",), "housed",
               fields=(ENTRY_DATE, housing.dwelling_field(), *housing.ENTRY_TERMS_FIELDS),
               effects=(housing.enter_dwelling("agreement"),))
A balance is what the household owes: rent calls minus housing benefit paid directly minus
the household's payments, counted up to the end of the given day (today by default).

Example, in a programme plugin::

    from tremplin_housing import api as housing

    occupancy = await housing.current_occupancy(household_id)
    if occupancy and await housing.in_arrears(household_id):
        ...

Dwellings are read as :class:`DwellingView` (never the address: a confidential dwelling's
address is shown only by the housing pages, to those allowed)::

    units = await housing.dwellings(programme="boarding_house")
    free = [u for u in units if u.status == "available"]
    one = await housing.dwelling(dwelling_id)  # None if there is no such dwelling

``status`` is one of :data:`DWELLING_STATUSES` (``prospect``, ``available``, ``occupied``,
``works``, ``returned``); ``typology`` one of :data:`TYPOLOGIES` (``studio``, ``T1``…``T5``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tremplin.api import (
    AgreementPolicy,
    Choice,
    EnrolmentView,
    fetch_rows,
    sql_columns,
    today,
)
from tremplin_housing.access import MASKED_ADDRESS
from tremplin_housing.agreement import agreement_ends
from tremplin_housing.agreement import end_of as agreement_end
from tremplin_housing.agreement import ending_within as agreements_ending
from tremplin_housing.agreement import max_end as agreement_max_end
from tremplin_housing.agreement import renew as renew_agreement
from tremplin_housing.agreement import renewals_of as agreement_renewals
from tremplin_housing.calc import ARREARS_THRESHOLD_CENTS, compute_balance
from tremplin_housing.fields import RETURN_REASONS as _RETURN_REASONS
from tremplin_housing.fields import STATUSES as _STATUSES
from tremplin_housing.fields import TYPOLOGIES as _TYPOLOGIES
from tremplin_housing.journey import (
    ENTRY_TERMS_FIELDS,
    change_of_dwelling,
    close_occupancy,
    dwelling_field,
    enrolment_occupancy,
    enter_dwelling,
    enter_unit,
    free_dwellings,
    leave_dwelling,
    move_dwelling,
    move_occupancy,
    move_unit,
    open_occupancy,
)
from tremplin_housing.ledger import balances_by_household, occupancy_balance
from tremplin_housing.programme import (
    agreement_deadline,
    entry_transition,
    renewal_fields,
    renewal_transition,
)
from tremplin_housing.settings import arrears_threshold
from tremplin_housing.tables import Dwelling, Occupancy

__all__ = [
    "MASKED_ADDRESS",
    "ARREARS_THRESHOLD_CENTS",
    "SUBLEASE_AGREEMENT",
    "ENTRY_TERMS_FIELDS",
    "agreement_deadline",
    "agreement_end",
    "agreement_due",
    "agreement_ends",
    "agreements_ending",
    "agreement_max_end",
    "agreement_renewals",
    "change_of_dwelling",
    "close_occupancy",
    "dwelling_field",
    "enrolment_occupancy",
    "enter_dwelling",
    "enter_unit",
    "entry_transition",
    "free_dwellings",
    "leave_dwelling",
    "move_dwelling",
    "move_occupancy",
    "move_unit",
    "open_occupancy",
    "renew_agreement",
    "renewal_fields",
    "renewal_transition",
    "DWELLING_STATUSES",
    "TYPOLOGIES",
    "AidApplicationView",
    "DwellingView",
    "InstalmentView",
    "OccupancyView",
    "RepaymentPlanView",
    "aid_applications",
    "arrears_threshold",
    "balance",
    "compute_balance",
    "current_occupancy",
    "dwelling",
    "dwelling_choices",
    "dwellings",
    "household_balance",
    "in_arrears",
    "occupancies",
    "dwelling_address",
    "rent_status",
    "repayment_plans",
    "RETURN_REASONS",
    "StockFact",
    "DpeChange",
    "ExitInventory",
    "balances",
    "occupancies_between",
    "occupancies_on",
    "open_lease",
    "stock_facts",
    "dpe_history",
    "dpe_class_on",
    "exit_inventories",
]


#: The occupancy agreement of sub-let dwellings (*convention d'occupation*, IML): 3-month
#: terms renewable up to 18 months, beyond only by a derogation with its reason; signed by
#: the household, the referent and the head of service. Programmes that sub-let declare it
#: (or their own) as ``Programme(agreement=…)``.
SUBLEASE_AGREEMENT = AgreementPolicy(
    term_months=3,
    max_months=18,
    signatories=("household", "referent", "head_of_service"),
)


@dataclass(frozen=True)
class OccupancyView:
    """A household in a dwelling for a period (``end_date`` inclusive, ``None``: ongoing).

    ``kind`` is ``agreement`` (occupancy agreement in sub-lease), ``lease`` (lease signed
    directly, management mandate) or ``residence`` (residence or boarding-house contract).
    """

    id: int
    household_id: int
    dwelling_id: int
    dwelling_reference: str
    kind: str
    programme: str
    start_date: dt.date
    end_date: dt.date | None
    transferred_from: int | None
    #: The enrolment whose entry opened it (``None``: recorded by hand before).
    enrolment_id: int | None = None


_COLUMNS = (
    Occupancy.id,
    Occupancy.household,
    Occupancy.dwelling,
    Occupancy.kind,
    Occupancy.programme,
    Occupancy.start_date,
    Occupancy.end_date,
    Occupancy.transferred_from,
    Occupancy.enrolment,
    Occupancy.dwelling.reference.as_alias("dwelling_reference"),
)


_NOT_SELECTED = tuple(
    c._meta.name
    for c in Occupancy._meta.columns
    if c._meta.name not in {col._meta.name for col in _COLUMNS if not col._meta.call_chain}
)


def _view(row: dict) -> OccupancyView:
    return OccupancyView(
        id=row["id"],
        household_id=row["household"],
        dwelling_id=row["dwelling"],
        dwelling_reference=row["dwelling_reference"],
        kind=row["kind"],
        programme=row["programme"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        transferred_from=row["transferred_from"],
        enrolment_id=row["enrolment"],
    )


async def occupancies(household_id: int) -> list[OccupancyView]:
    """Every occupancy of the household, oldest first (transfers keep the history)."""
    # Hand-written (fetch_rows): the household panel reads it on every household page.
    rows = await fetch_rows(
        f"SELECT {sql_columns(Occupancy, 'o', exclude=_NOT_SELECTED)}, "
        'd."reference" AS "dwelling_reference" FROM "housing_occupancy" AS o '
        'LEFT JOIN "housing_dwelling" AS d ON d."id" = o."dwelling" '
        'WHERE o."household" = {} ORDER BY o."start_date"',
        household_id,
    )
    return [_view(r) for r in rows]


async def current_occupancy(household_id: int, on: dt.date | None = None) -> OccupancyView | None:
    """The occupancy of the household on day ``on`` (today), or ``None`` if not housed."""
    on = on or today()
    row = (
        await Occupancy.select(*_COLUMNS)
        .where(
            (Occupancy.household == household_id)
            & (Occupancy.start_date <= on)
            & (Occupancy.end_date.is_null() | (Occupancy.end_date >= on))
        )
        .order_by(Occupancy.start_date, ascending=False)
        .first()
    )
    return _view(row) if row else None


async def balance(occupancy_id: int, on: dt.date | None = None) -> int:
    """The balance of one occupancy's rent account at the end of ``on`` (today)."""
    return await occupancy_balance(occupancy_id, on)


async def household_balance(household_id: int, on: dt.date | None = None) -> int:
    """The balance over all the household's occupancies (a debt follows a transfer)."""
    return (await balances_by_household(on, [household_id])).get(household_id, 0)


async def in_arrears(household_id: int, on: dt.date | None = None) -> bool:
    """Whether the household's balance exceeds the association's arrears threshold
    (:func:`arrears_threshold`; :data:`ARREARS_THRESHOLD_CENTS`, 30 €, until it is set)."""
    return await household_balance(household_id, on) > await arrears_threshold()


async def rent_status(household_id: int, programme: str) -> str | None:
    """What a partner may be told of the rent: ``"à jour"`` or ``"en impayé"``, never an
    amount, from the household's occupancies in ``programme`` only (a debt in another
    programme's dwelling says nothing); ``None`` when it never had a dwelling there."""
    mine = [o for o in await occupancies(household_id) if o.programme == programme]
    if not mine:
        return None
    owed = sum([await balance(o.id) for o in mine])
    return "en impayé" if owed > await arrears_threshold() else "à jour"


@dataclass(frozen=True)
class InstalmentView:
    """One instalment of a repayment plan; ``kept`` is ``None`` while it is not yet due."""

    due_on: dt.date
    amount_cents: int
    kept: bool | None


@dataclass(frozen=True)
class RepaymentPlanView:
    """A repayment plan (*plan d'apurement*) as it stands on the day asked.

    ``status`` is ``ongoing``, ``kept`` (every instalment due and kept) or ``broken`` (an
    instalment was not kept); ``kept`` says the same as a boolean, ``None`` while ongoing.
    """

    id: int
    household_id: int
    occupancy_id: int | None
    start_date: dt.date
    debt_cents: int
    instalments: tuple[InstalmentView, ...]
    status: str
    kept: bool | None


async def repayment_plans(household_id: int, on: dt.date | None = None) -> list[RepaymentPlanView]:
    """The household's repayment plans, oldest first, judged at the end of ``on`` (today)."""
    from tremplin_housing.plans import plans_of

    return [
        RepaymentPlanView(
            id=p["id"],
            household_id=p["household"],
            occupancy_id=p["occupancy"],
            start_date=p["start_date"],
            debt_cents=p["debt_cents"],
            instalments=tuple(
                InstalmentView(i["due_on"], i["amount_cents"], i["kept"]) for i in p["instalments"]
            ),
            status=p["status"],
            kept={"kept": True, "broken": False}.get(p["status"]),
        )
        for p in await plans_of(household_id, on)
    ]


@dataclass(frozen=True)
class AidApplicationView:
    """An application for help with the rent debt. ``kind``: ``fsl``, ``visale``, ``fund``,
    ``other``; ``outcome``: ``pending``, ``granted``, ``refused``; ``paid``: the granted
    amount was credited to the rent account."""

    id: int
    household_id: int
    kind: str
    applied_on: dt.date
    requested_cents: int
    outcome: str
    decided_on: dt.date | None
    granted_cents: int
    paid: bool


async def aid_applications(household_id: int) -> list[AidApplicationView]:
    """The household's applications for help (FSL, VISALE…), oldest first."""
    from tremplin_housing.aid import applications_of

    return [
        AidApplicationView(
            id=a["id"],
            household_id=a["household"],
            kind=a["kind"],
            applied_on=a["applied_on"],
            requested_cents=a["requested_cents"],
            outcome=a["outcome"],
            decided_on=a["decided_on"],
            granted_cents=a["granted_cents"],
            paid=a["ledger_entry"] is not None,
        )
        for a in await applications_of(household_id)
    ]


#: The statuses of a dwelling (key → French label), in pipeline order.
DWELLING_STATUSES: dict[str, str] = {c.value: c.label for c in _STATUSES}
#: The typologies of a dwelling (key → French label).
TYPOLOGIES: dict[str, str] = {c.value: c.label for c in _TYPOLOGIES}


@dataclass(frozen=True)
class DwellingView:
    """A dwelling as other plugins see it: no address (see :mod:`.access`).

    ``programme`` is the key of the programme that uses it (``""``: none yet);
    ``confidential`` says its address is hidden from those not allowed.
    """

    id: int
    reference: str
    typology: str
    furnished: bool
    status: str
    programme: str
    confidential: bool


_DWELLING_COLUMNS = (
    Dwelling.id,
    Dwelling.reference,
    Dwelling.typology,
    Dwelling.furnished,
    Dwelling.status,
    Dwelling.programme,
    Dwelling.confidential,
)


def _dwelling_view(row: dict) -> DwellingView:
    return DwellingView(
        id=row["id"],
        reference=row["reference"],
        typology=row["typology"],
        furnished=bool(row["furnished"]),
        status=row["status"],
        programme=row["programme"],
        confidential=bool(row["confidential"]),
    )


async def dwellings(programme: str | None = None, status: str | None = None) -> list[DwellingView]:
    """The dwellings, by reference, of ``programme`` (all when ``None``) with ``status``
    (all when ``None``)."""
    query = Dwelling.select(*_DWELLING_COLUMNS)
    if programme is not None:
        query = query.where(Dwelling.programme == programme)
    if status is not None:
        query = query.where(Dwelling.status == status)
    return [_dwelling_view(r) for r in await query.order_by(Dwelling.reference)]


async def dwelling_choices(taken: set[int]) -> list[Choice]:
    """Dwellings another plugin may tie one of its units to, as form choices: captured (not a
    prospect, not returned to the owner) and not in ``taken`` (already tied elsewhere).
    The label gives the reference and typology, never the address."""
    return [
        Choice(str(d.id), f"{d.reference} — {d.typology}")
        for d in await dwellings()
        if d.status not in ("prospect", "returned") and d.id not in taken
    ]


async def dwelling(dwelling_id: int) -> DwellingView | None:
    """One dwelling, or ``None`` when there is none with this id."""
    row = await Dwelling.select(*_DWELLING_COLUMNS).where(Dwelling.id == dwelling_id).first()
    return _dwelling_view(row) if row else None


# --- Added for the rental agency (issue 17): whole-stock reads and the lease signature. ---


@dataclass(frozen=True)
class StockFact:
    """What the agency-wide stock figures need of one dwelling (never its address: the
    postcode only, for the *département*). Dates are ``None`` when not recorded."""

    id: int
    reference: str
    owner_id: int
    typology: str
    postcode: str
    city: str
    stock: str
    dpe_class: str
    status: str
    programme: str
    contacted_on: dt.date | None
    captured_on: dt.date | None
    returned_on: dt.date | None
    return_reason: str
    #: Rent and charges of the latest head lease or mandate (0 when none recorded).
    rent_cents: int = 0
    charges_cents: int = 0


async def stock_facts() -> list[StockFact]:
    """Every dwelling of the housing stock, with or without a programme (two queries)."""
    from tremplin_housing.tables import HeadLease

    leases = {}
    for lease in await HeadLease.select(
        HeadLease.dwelling, HeadLease.rent_cents, HeadLease.charges_cents
    ).order_by(HeadLease.start_date):
        leases[lease["dwelling"]] = lease  # the latest wins
    rows = await Dwelling.select(
        Dwelling.id,
        Dwelling.reference,
        Dwelling.owner,
        Dwelling.typology,
        Dwelling.postcode,
        Dwelling.city,
        Dwelling.stock,
        Dwelling.dpe_class,
        Dwelling.status,
        Dwelling.programme,
        Dwelling.contacted_on,
        Dwelling.captured_on,
        Dwelling.returned_on,
        Dwelling.return_reason,
    ).order_by(Dwelling.id)
    return [
        StockFact(
            id=r["id"],
            reference=r["reference"],
            owner_id=r["owner"],
            typology=r["typology"],
            postcode=r["postcode"] or "",
            city=r["city"] or "",
            stock=r["stock"],
            dpe_class=r["dpe_class"] or "",
            status=r["status"],
            programme=r["programme"] or "",
            contacted_on=r["contacted_on"],
            captured_on=r["captured_on"],
            returned_on=r["returned_on"],
            return_reason=r["return_reason"] or "",
            rent_cents=leases.get(r["id"], {}).get("rent_cents", 0),
            charges_cents=leases.get(r["id"], {}).get("charges_cents", 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class DpeChange:
    """One energy label of a dwelling, in force from ``valid_from`` (the diagnostic's date,
    else the day it was recorded) until the dwelling's next record. ``dpe_date`` is the
    diagnostic's date (``None`` when unknown)."""

    dwelling_id: int
    dpe_class: str
    dpe_date: dt.date | None
    valid_from: dt.date


async def dpe_history() -> list[DpeChange]:
    """The DPE history of the whole stock, oldest first (one query)."""
    from tremplin_housing.tables import DpeRecord

    rows = await DpeRecord.select(
        DpeRecord.dwelling, DpeRecord.dpe_class, DpeRecord.dpe_date, DpeRecord.valid_from
    ).order_by(DpeRecord.valid_from, DpeRecord.id)
    return [
        DpeChange(r["dwelling"], r["dpe_class"] or "", r["dpe_date"], r["valid_from"]) for r in rows
    ]


def dpe_class_on(history: list[DpeChange], on: dt.date) -> dict[int, str]:
    """Each dwelling's label in force on ``on`` (dwellings with no label yet are absent)."""
    labels: dict[int, str] = {}
    for change in history:  # oldest first: the latest in force wins
        if change.valid_from <= on:
            labels[change.dwelling_id] = change.dpe_class
    return labels


@dataclass(frozen=True)
class ExitInventory:
    """An exit inventory (*état des lieux de sortie*) and what the works fund granted."""

    id: int
    dwelling_id: int
    household_id: int
    done_on: dt.date
    fund_cents: int


async def exit_inventories(start: dt.date, end: dt.date) -> list[ExitInventory]:
    """The exit inventories done between ``start`` and ``end`` (inclusive), whole stock."""
    from tremplin_housing.tables import Inventory

    rows = await Inventory.select(
        Inventory.id,
        Inventory.occupancy.dwelling.as_alias("dwelling"),
        Inventory.occupancy.household.as_alias("household"),
        Inventory.done_on,
        Inventory.fund_cents,
    ).where((Inventory.kind == "exit") & (Inventory.done_on >= start) & (Inventory.done_on <= end))
    return [
        ExitInventory(r["id"], r["dwelling"], r["household"], r["done_on"], r["fund_cents"] or 0)
        for r in rows
    ]


#: Why a dwelling went back to its owner (key → French label).
RETURN_REASONS: dict[str, str] = {c.value: c.label for c in _RETURN_REASONS}


async def occupancies_on(on: dt.date | None = None) -> list[OccupancyView]:
    """Every occupancy ongoing on day ``on`` (today), all programmes and none, one query."""
    on = on or today()
    rows = await Occupancy.select(*_COLUMNS).where(
        (Occupancy.start_date <= on) & (Occupancy.end_date.is_null() | (Occupancy.end_date >= on))
    )
    return [_view(r) for r in rows]


async def occupancies_between(start: dt.date, end: dt.date) -> list[OccupancyView]:
    """Every occupancy that overlaps ``[start, end]``, one query."""
    rows = await Occupancy.select(*_COLUMNS).where(
        (Occupancy.start_date <= end)
        & (Occupancy.end_date.is_null() | (Occupancy.end_date >= start))
    )
    return [_view(r) for r in rows]


async def balances(household_ids: list[int], on: dt.date | None = None) -> dict[int, int]:
    """The balance of each household (all its occupancies) at the end of ``on``, one query."""
    return await balances_by_household(on, household_ids)


async def open_lease(
    actor,
    dwelling_id: int,
    household_id: int,
    start: dt.date,
    rent_cents: int,
    charges_cents: int = 0,
    benefit_cents: int = 0,
    deposit_cents: int = 0,
    programme: str = "",
) -> int:
    """A lease signed directly by the household (occupancy kind ``lease``): the occupancy,
    its first rent terms and its deposit plan, as the dwelling page records them; the
    same checks (dwelling captured and free, household not housed elsewhere), raised as
    :class:`tremplin.api.FormErrors`. Call it inside the caller's transaction."""
    from tremplin_housing.occupancy import create_occupancy

    def euros(amount: int) -> str:
        return f"{amount // 100},{amount % 100:02d}"

    raw = {
        "household": str(household_id),
        "kind": "lease",
        "programme": programme,
        "start_date": start.isoformat(),
        "rent": euros(rent_cents),
        "charges": euros(charges_cents),
        "benefit": euros(benefit_cents),
        "deposit": euros(deposit_cents),
        "insurance_expires_on": "",
    }
    return await create_occupancy(
        actor, dwelling_id, raw, {programme: programme} if programme else {}
    )


async def dwelling_address(dwelling_id: int, user: object, connection: object = None) -> str:
    """The printable address of a dwelling as ``user`` may see it: masked
    (:data:`~tremplin_housing.access.MASKED_ADDRESS`) when it is confidential, or a household
    whose contact details ``user`` may not see lives there, or no ``connection`` (the
    request) was given to check that. The caller audits a confidential address it prints."""
    from tremplin_housing.access import protect, shown_address

    row = (
        await Dwelling.select(
            Dwelling.id,
            Dwelling.address,
            Dwelling.postcode,
            Dwelling.city,
            Dwelling.confidential,
            Dwelling.programme,
        )
        .where(Dwelling.id == dwelling_id)
        .first()
    )
    if row is None:
        return ""
    if connection is not None:
        await protect(connection, [row])
    return shown_address(row, user)


async def agreement_due(enrolment: EnrolmentView, policy: AgreementPolicy) -> dt.date | None:
    """The end of an enrolment's occupancy agreement after its renewals and derogations
    (housing's renewals table), for a programme's ``Deadline.due``; ``None`` before entry."""
    if enrolment.entry_date is None:
        return None
    ends = await agreement_ends([{"id": enrolment.id, "entry_date": enrolment.entry_date}], policy)
    return ends.get(enrolment.id)
