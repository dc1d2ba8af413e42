"""The household's housing journey as effects of a programme's transitions.

One action records one fact: the programme's « Entrée dans le logement » opens the occupancy
with its rent terms on the enrolment's entry date and closes the dwelling's open vacancy;
the exit closes the occupancy (and so its agreement) on the exit date and opens the vacancy;
a move transfers the occupancy. Each runs inside the transition's transaction: a refusal
(dwelling taken, unit not free) leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Choice,
    ChoiceContext,
    Effect,
    EffectContext,
    Enrolments,
    Field,
    FormErrors,
    Transition,
    domain,
    format_date,
    now,
    today,
)
from tremplin_housing.calc import add_months, first_of_month, overlaps
from tremplin_housing.common import add_event, write_audit
from tremplin_housing.fields import TERMS_FIELDS, money
from tremplin_housing.ledger import sync_called_month, terms_history
from tremplin_housing.occupancy import close_row, lock_dwelling, occupancy_period, reprice_from
from tremplin_housing.tables import (
    DepositInstalment,
    Dwelling,
    LedgerEntry,
    Occupancy,
    RentTerms,
    Vacancy,
)

gettext = domain(__name__).gettext

#: Statuses of a dwelling a household may enter.
ENTERABLE = ("available", "occupied")
#: Occupancy exit reason for an enrolment's exit destination (anything else: end).
_EXIT_REASONS = {"abandonment": "abandonment", "eviction": "eviction"}


def _actor(ctx: EffectContext) -> Actor:
    return Actor(user_id=ctx.user_id, address=ctx.address)


async def free_dwellings(programme: str | None, on: dt.date | None = None) -> list[Choice]:
    """Dwellings a household of ``programme`` may enter on ``on`` (today): the programme's
    own and those not yet given to a programme, captured (not a prospect, not returned, not
    in works) and with nobody in them then. Labelled by reference, typology and city
    (never the address). Two queries, whatever the stock."""
    on = on or today()
    taken = {
        r["dwelling"]
        for r in await Occupancy.select(Occupancy.dwelling).where(
            Occupancy.end_date.is_null() | (Occupancy.end_date >= on)
        )
    }
    query = Dwelling.select(
        Dwelling.id,
        Dwelling.reference,
        Dwelling.typology,
        Dwelling.city,
        Dwelling.furnished,
        Dwelling.confidential,
    ).where(Dwelling.status.is_in(list(ENTERABLE)))
    if programme:
        query = query.where(Dwelling.programme.is_in([programme, ""]))
    rows = await query.order_by(Dwelling.reference)
    return [
        Choice(
            str(r["id"]),
            f"{r['reference']} — {r['typology']}"
            + (" meublé" if r["furnished"] else "")
            + ("" if r["confidential"] or not r["city"] else f", {r['city']}"),
        )
        for r in rows
        if r["id"] not in taken
    ]


async def _free_for(ctx: ChoiceContext) -> list[Choice]:
    return await free_dwellings(ctx.programme, ctx.today)


def dwelling_field(label: str = "Logement", name: str = "dwelling") -> Field:
    """The dwelling asked at the entry: one of the programme's free dwellings."""
    return Field(
        name,
        label,
        kind="int",
        required=True,
        minimum=1,
        choices_from=_free_for,
        help=N_("Les logements libres du programme : référence — typologie, commune."),
    )


#: Rent terms asked at the entry (rent, charges, directly-paid housing benefit, deposit).
ENTRY_TERMS_FIELDS = (
    *TERMS_FIELDS,
    money("deposit", "Dépôt de garantie", help="Moitié à la signature, le reste le mois suivant."),
)


def _terms(values: dict[str, Any]) -> dict[str, Any]:
    rent = int(values.get("rent") or 0)
    charges = int(values.get("charges") or 0)
    benefit = int(values.get("benefit") or 0)
    if benefit > rent + charges:
        raise FormErrors({"benefit": gettext("l'aide au logement dépasse le loyer et les charges")})
    return {"rent_cents": rent, "charges_cents": charges, "benefit_cents": benefit}


async def close_vacancy(dwelling_id: int, start: dt.date) -> None:
    """The open vacancy of the dwelling ends the day before the entry."""
    for v in await Vacancy.select(Vacancy.id, Vacancy.start_date).where(
        (Vacancy.dwelling == dwelling_id)
        & Vacancy.end_date.is_null()
        & (Vacancy.start_date <= start)
    ):
        end = max(v["start_date"], start - dt.timedelta(days=1))
        await Vacancy.update({Vacancy.end_date: end}).where(Vacancy.id == v["id"])


async def open_vacancy(dwelling_id: int, after: dt.date) -> None:
    """The dwelling is vacant from the day after the last occupant's last day."""
    start = after + dt.timedelta(days=1)
    if await Vacancy.exists().where(
        (Vacancy.dwelling == dwelling_id)
        & (Vacancy.end_date.is_null() | (Vacancy.end_date >= start))
    ):
        return
    await Vacancy.insert(
        Vacancy(dwelling=dwelling_id, start_date=start, cause="between_occupants", created_at=now())
    )


async def open_occupancy(
    ctx: EffectContext,
    dwelling_id: int,
    start: dt.date,
    kind: str,
    terms: dict[str, Any],
    deposit_cents: int = 0,
    field: str = "dwelling",
    transferred_from: int | None = None,
) -> int:
    """Open the enrolment's occupancy of ``dwelling_id`` from ``start`` with its first rent
    terms; close the dwelling's vacancy. Refused (``FormErrors`` under ``field``) when the
    dwelling cannot be entered or someone lives there then."""
    return await occupy(
        _actor(ctx),
        dwelling_id,
        ctx.enrolment.household_id,
        start,
        kind,
        terms,
        programme=ctx.enrolment.programme,
        enrolment_id=ctx.enrolment.id,
        confidential=ctx.programme is not None and ctx.programme.confidential_contacts,
        deposit_cents=deposit_cents,
        field=field,
        transferred_from=transferred_from,
    )


async def occupy(
    actor: Actor,
    dwelling_id: int,
    household_id: int,
    start: dt.date,
    kind: str,
    terms: dict[str, int],
    *,
    programme: str,
    enrolment_id: int | None,
    confidential: bool,
    deposit_cents: int = 0,
    field: str = "dwelling",
    transferred_from: int | None = None,
    insurance_expires_on: dt.date | None = None,
) -> int:
    """The household enters ``dwelling_id`` on ``start``: its occupancy, the first rent terms
    from the same date, the deposit plan; the dwelling's open vacancy ends the day before and
    the dwelling takes the programme (and, for a programme whose contacts are confidential,
    a confidential address). Refused (``FormErrors`` under ``field``), nothing written, when
    the dwelling cannot be entered or someone lives there then."""
    dwelling = await lock_dwelling(dwelling_id)
    if dwelling["status"] not in ENTERABLE:
        raise FormErrors(
            {
                field: gettext(
                    "Le logement {reference} n'est pas disponible (capté et libre)."
                ).format(reference=dwelling["reference"])
            }
        )
    if programme and dwelling["programme"] not in ("", programme):
        raise FormErrors(
            {
                field: gettext("Le logement {reference} est affecté à un autre programme.").format(
                    reference=dwelling["reference"]
                )
            }
        )
    for o in await Occupancy.select(Occupancy.start_date, Occupancy.end_date).where(
        Occupancy.dwelling == dwelling_id
    ):
        if overlaps(start, None, o["start_date"], o["end_date"]):
            raise FormErrors(
                {
                    field: gettext("Le logement {reference} est déjà occupé {period}.").format(
                        reference=dwelling["reference"],
                        period=occupancy_period(o["start_date"], o["end_date"]),
                    )
                }
            )
    for o in await Occupancy.select(Occupancy.start_date, Occupancy.end_date).where(
        Occupancy.household == household_id
    ):
        if overlaps(start, None, o["start_date"], o["end_date"]):
            raise FormErrors(
                {
                    field: gettext(
                        "Ce ménage occupe déjà un logement à cette date : enregistrez d'abord sa sortie ou un changement de logement."
                    )
                }
            )
    current = now()
    row = await Occupancy.insert(
        Occupancy(
            dwelling=dwelling_id,
            household=household_id,
            enrolment=enrolment_id,
            kind=kind,
            programme=programme,
            start_date=start,
            deposit_cents=deposit_cents,
            transferred_from=transferred_from,
            insurance_expires_on=insurance_expires_on,
            created_by=actor.user_id,
            created_at=current,
            updated_at=current,
        )
    ).returning(Occupancy.id)
    occupancy_id = row[0]["id"]
    await RentTerms.insert(
        RentTerms(
            occupancy=occupancy_id,
            effective_from=start,
            reason="entry",
            created_by=actor.user_id,
            created_at=current,
            **terms,  # type: ignore[arg-type]  # rent columns by name: Piccolo types **kwargs as Table.__init__'s own parameters
        )
    )
    # The seeds: half of the deposit at signature, the rest the following month.
    first_part = deposit_cents - deposit_cents // 2
    for due, amount in ((start, first_part), (add_months(start, 1), deposit_cents // 2)):
        if amount > 0:
            await DepositInstalment.insert(
                DepositInstalment(occupancy=occupancy_id, due_on=due, amount_cents=amount)
            )
    update: dict[Any, Any] = {}
    if programme:
        update[Dwelling.programme] = programme
    if start <= today():
        update[Dwelling.status] = "occupied"
    if confidential:
        # A dwelling housing a household of a confidential programme (Alter Logement) gets
        # a confidential address, as the dwelling page did when it recorded the entry.
        update[Dwelling.confidential] = True
    if update:
        await Dwelling.update(update).where(Dwelling.id == dwelling_id)
    await close_vacancy(dwelling_id, start)
    await write_audit(actor, "create", "housing_occupancy", occupancy_id, ["enrolment"])
    return occupancy_id


async def enrolment_occupancy(enrolment_id: int) -> dict[str, Any] | None:
    """The enrolment's open occupancy (the latest, after transfers), or ``None``."""
    return (
        await Occupancy.select()
        .where((Occupancy.enrolment == enrolment_id) & Occupancy.end_date.is_null())
        .order_by(Occupancy.start_date, ascending=False)
        .first()
    )


async def close_occupancy(
    ctx: EffectContext, end: dt.date, reason: str = "end", field: str = "exit_date"
) -> int | None:
    """Close the enrolment's open occupancy on ``end`` (its last day) and open the
    dwelling's vacancy from the next day; returns the occupancy closed (``None``: none)."""
    occupancy = await enrolment_occupancy(ctx.enrolment.id)
    if occupancy is None:
        return None
    await _close(_actor(ctx), occupancy, end, reason, field)
    return occupancy["id"]


async def _close(
    actor: Actor, occupancy: dict[str, Any], end: dt.date, reason: str, field: str
) -> None:
    await lock_dwelling(occupancy["dwelling"])
    try:
        await close_row(actor, occupancy, end, reason)
    except FormErrors as exc:
        raise FormErrors({field: next(iter(exc.errors.values()))}) from exc
    await open_vacancy(occupancy["dwelling"], end)
    await write_audit(actor, "exit", "housing_occupancy", occupancy["id"], ["end_date"])


def exit_reason(destination: str) -> str:
    """The occupancy's exit reason for an enrolment's exit destination."""
    return "sliding" if "sliding" in destination else _EXIT_REASONS.get(destination, "end")


def enter_dwelling(kind: str = "agreement", field: str = "dwelling") -> Effect:
    """Effect of an entry: the household enters the dwelling chosen in ``field`` on the
    enrolment's entry date, with the rent terms of :data:`ENTRY_TERMS_FIELDS`."""

    async def effect(ctx: EffectContext) -> None:
        start = ctx.enrolment.entry_date
        if start is None:
            raise FormErrors({"entry_date": gettext("indiquez la date d'entrée")})
        await open_occupancy(
            ctx,
            int(ctx.values[field]),
            start,
            kind,
            _terms(ctx.values),
            int(ctx.values.get("deposit") or 0),
            field,
        )

    # an effect carries the housing move it makes as an attribute (read by getattr)
    effect.housing_effect = "enter"  # type: ignore[attr-defined]
    return effect


def leave_dwelling(stays: Iterable[str] = ()) -> Effect:
    """Effect of an exit: the enrolment's occupancy ends on the exit date (its agreement
    with it) and the dwelling is vacant from the next day. Nothing when it has none, nor
    after an exit whose destination is in ``stays`` (the household keeps the dwelling as its
    tenant: a lease signed with the owner outlives the support)."""
    kept = frozenset(stays)

    async def effect(ctx: EffectContext) -> None:
        end = ctx.enrolment.exit_date
        destination = str(ctx.values.get("exit_destination") or "")
        if end is None or destination in kept:
            return
        await close_occupancy(ctx, end, exit_reason(destination))

    # an effect carries the housing move it makes as an attribute (read by getattr)
    effect.housing_effect = "exit"  # type: ignore[attr-defined]
    effect.stays = kept  # type: ignore[attr-defined]
    return effect


def kept_destinations(workflow: Any) -> frozenset[str] | None:
    """The exit destinations after which the household keeps its dwelling, from the
    workflow's :func:`leave_dwelling` effects; ``None`` when no exit closes an occupancy."""
    found: list[frozenset[str]] = [
        getattr(effect, "stays", frozenset())
        for t in workflow.transitions
        for effect in t.effects
        if getattr(effect, "housing_effect", None) == "exit"
    ]
    return frozenset().union(*found) if found else None


async def move_occupancy(
    ctx: EffectContext, dwelling_id: int, day: dt.date, field: str = "dwelling"
) -> int:
    """Transfer: the enrolment's occupancy ends the day before ``day`` and a new one opens
    in ``dwelling_id`` on ``day`` with the same rent terms (both accounts kept), through
    :func:`transfer_occupancy`, as the occupancy page's « Transfert » does."""
    current = await enrolment_occupancy(ctx.enrolment.id)
    if current is None:
        raise FormErrors({field: gettext("Ce ménage n'occupe aucun logement à transférer.")})
    return await transfer_occupancy(
        _actor(ctx),
        current,
        dwelling_id,
        day,
        confidential=ctx.programme is not None and ctx.programme.confidential_contacts,
        field=field,
        date_field="moved_on",
    )


async def transfer_occupancy(
    actor: Actor,
    current: dict[str, Any],
    dwelling_id: int,
    day: dt.date,
    terms: dict[str, int] | None = None,
    *,
    confidential: bool,
    field: str = "dwelling",
    date_field: str = "moved_on",
) -> int:
    """The one implementation of a transfer, for the workflow's « Changement de logement »
    (:func:`move_occupancy`) and the occupancy page's « Transfert »: ``current`` ends the
    day before ``day`` (reason ``transfer``) and the dwelling left is vacant from ``day``;
    a new occupancy of ``dwelling_id`` opens on ``day`` (``transferred_from``, same
    enrolment, kind and programme) with ``terms`` (by default the terms in force) from the
    same date, and that dwelling's open vacancy ends the day before. One timeline line,
    dated ``day``. Refused (``FormErrors`` under ``field`` or ``date_field``), nothing
    written, when the target is the same dwelling, the date does not follow the entry, or the
    target cannot be entered (taken, not captured, another programme's)."""
    if current["dwelling"] == dwelling_id:
        raise FormErrors({field: gettext("Le ménage occupe déjà ce logement.")})
    if day <= current["start_date"]:
        raise FormErrors(
            {date_field: gettext("Le changement doit suivre l'entrée dans le logement actuel.")}
        )
    if terms is None:
        row = (
            await RentTerms.select(
                RentTerms.rent_cents, RentTerms.charges_cents, RentTerms.benefit_cents
            )
            .where(RentTerms.occupancy == current["id"])
            .order_by(RentTerms.effective_from, ascending=False)
            .first()
        )
        terms = dict(row or {"rent_cents": 0, "charges_cents": 0, "benefit_cents": 0})
    await _close(actor, current, day - dt.timedelta(days=1), "transfer", date_field)
    new_id = await occupy(
        actor,
        dwelling_id,
        current["household"],
        day,
        current["kind"],
        terms,
        programme=current["programme"],
        enrolment_id=current["enrolment"],
        confidential=confidential,
        field=field,
        transferred_from=current["id"],
        insurance_expires_on=current["insurance_expires_on"],
    )
    refs = {
        r["id"]: r["reference"]
        for r in await Dwelling.select(Dwelling.id, Dwelling.reference).where(
            Dwelling.id.is_in([current["dwelling"], dwelling_id])
        )
    }
    await add_event(
        actor,
        current["household"],
        "housing_occupancy",
        f"Transfert vers le logement {refs[dwelling_id]}",
        f"Depuis le logement {refs[current['dwelling']]}",
        day,
        current["programme"],
        {"occupancy": new_id, "from": current["id"]},
    )
    await write_audit(actor, "transfer", "housing_occupancy", current["id"], ["dwelling"])
    return new_id


def move_dwelling(date_field: str = "moved_on", field: str = "dwelling") -> Effect:
    """Effect of a change of dwelling: the occupancy moves to the dwelling in ``field`` on
    the date in ``date_field``."""

    async def effect(ctx: EffectContext) -> None:
        day = dt.date.fromisoformat(ctx.values[date_field])
        await move_occupancy(ctx, int(ctx.values[field]), day, field)

    # an effect carries the housing move it makes as an attribute (read by getattr)
    effect.housing_effect = "move"  # type: ignore[attr-defined]
    return effect


def change_of_dwelling(state: str = "housed", *, key: str = "move", order: int = 30) -> Transition:
    """The transition « Changement de logement » of a programme that houses people: in
    ``state``, the household moves on « Date du changement » into one of the programme's
    free dwellings; its occupancy ends the day before and a new one opens there with the same
    rent terms (:func:`move_dwelling`). The enrolment stays in ``state``."""
    return Transition(
        key,
        N_("Changement de logement"),
        (state,),
        state,
        fields=(
            Field("moved_on", N_("Date du changement"), kind="date", required=True),
            dwelling_field("Nouveau logement"),
        ),
        effects=(move_dwelling(),),
        order=order,
        # The transfer writes its own line, dated by the move (« Transfert vers le logement »).
        timeline_event=False,
    )


def houses_by_unit(transitions) -> bool:
    """Whether a workflow houses its residents in its own units (a boarding house, a
    residence: :func:`enter_unit`): the unit is the programme's record, so a change of
    dwelling goes through the programme's « Changement de logement », never the occupancy
    page (the unit would stay the old one)."""
    return any(getattr(effect, "by_unit", False) for t in transitions for effect in t.effects)


def houses_through_workflow(transitions) -> bool:
    """Whether a workflow's entry opens the occupancy (its dwellings are entered there)."""
    return any(
        getattr(effect, "housing_effect", None) == "enter"
        for t in transitions
        for effect in t.effects
    )


#: Where a programme's unit (a boarding-house or residence unit) has its dwelling.
DwellingOf = Callable[[int], Awaitable[int | None]]

_NO_DWELLING = N_(
    "Ce logement n'est relié à aucun logement du parc (module Logements) : reliez-le d'abord, "
    "pour ouvrir l'occupation et le compte de loyer du résident."
)


async def _mapped(dwelling_of: DwellingOf, ctx: EffectContext, field: str) -> int:
    dwelling_id = await dwelling_of(int(ctx.values[field]))
    if dwelling_id is None:
        raise FormErrors({field: gettext(_NO_DWELLING)})
    return dwelling_id


def enter_unit(dwelling_of: DwellingOf, kind: str = "residence", field: str = "unit") -> Effect:
    """Effect of an entry into a programme's unit (``field``): the resident enters the unit's
    dwelling, given by ``dwelling_of(unit id)``, with the rent terms of
    :data:`ENTRY_TERMS_FIELDS`; refused when the unit has no dwelling."""

    async def effect(ctx: EffectContext) -> None:
        start = ctx.enrolment.entry_date
        if start is None:
            raise FormErrors({"entry_date": gettext("indiquez la date d'entrée")})
        dwelling_id = await _mapped(dwelling_of, ctx, field)
        await open_occupancy(
            ctx,
            dwelling_id,
            start,
            kind,
            _terms(ctx.values),
            int(ctx.values.get("deposit") or 0),
            field,
        )

    # an effect carries the housing move it makes as an attribute (read by getattr)
    effect.housing_effect = "enter"  # type: ignore[attr-defined]
    effect.by_unit = True  # type: ignore[attr-defined]
    return effect


def move_unit(dwelling_of: DwellingOf, date_field: str = "moved_on", field: str = "unit") -> Effect:
    """Effect of a change of unit: the occupancy moves to the new unit's dwelling."""

    async def effect(ctx: EffectContext) -> None:
        day = dt.date.fromisoformat(ctx.values[date_field])
        await move_occupancy(ctx, await _mapped(dwelling_of, ctx, field), day, field)

    # an effect carries the housing move it makes as an attribute (read by getattr)
    effect.housing_effect = "move"  # type: ignore[attr-defined]
    return effect


async def _others_overlap(occupancy: dict[str, Any], start: dt.date, end: dt.date | None) -> bool:
    """Whether another occupancy of the same dwelling or household shares a day with
    ``start``–``end``."""
    rows = await Occupancy.select(Occupancy.start_date, Occupancy.end_date).where(
        (Occupancy.id != occupancy["id"])
        & (
            (Occupancy.dwelling == occupancy["dwelling"])
            | (Occupancy.household == occupancy["household"])
        )
    )
    return any(overlaps(start, end, o["start_date"], o["end_date"]) for o in rows)


async def correct_dates(correction: Any) -> str | None:
    """The corrected entry or exit date of an enrolment moves its occupancy with it (the
    rent account is re-priced from the earlier month, the vacancy follows): the entry date
    stays one fact. Refused (``FormErrors`` under the date) when the dwelling or the
    household is taken at the new date; nothing then is written.

    Returns a French note for the correction's timeline line when the occupancy is left as
    it is because the dwelling page already recorded what the correction says (a lease
    closed there after the support ended, say), so that nothing is silent."""
    actor = Actor(user_id=correction.user_id)
    enrolment_id = correction.enrolment.id
    rows = (
        await Occupancy.select()
        .where(Occupancy.enrolment == enrolment_id)
        .order_by(Occupancy.start_date)
    )
    if not rows:
        if correction.step == "exit" and _turns_on_housing(correction):
            return gettext(_NO_LEASE)
        return None
    if "entry_date" in correction.after and correction.after["entry_date"]:
        occupancy, new = rows[0], correction.after["entry_date"]
        old = occupancy["start_date"]
        if new != old:
            await lock_dwelling(occupancy["dwelling"])
            end = occupancy["end_date"]
            if (end is not None and new > end) or await _others_overlap(occupancy, new, end):
                raise FormErrors(
                    {"entry_date": gettext("Le logement ou le ménage est déjà pris à cette date.")}
                )
            await Occupancy.update({Occupancy.start_date: new, Occupancy.updated_at: now()}).where(
                Occupancy.id == occupancy["id"]
            )
            await RentTerms.update({RentTerms.effective_from: new}).where(
                (RentTerms.occupancy == occupancy["id"]) & (RentTerms.effective_from == old)
            )
            await DepositInstalment.update({DepositInstalment.due_on: new}).where(
                (DepositInstalment.occupancy == occupancy["id"]) & (DepositInstalment.due_on == old)
            )
            note = await _vacancies_before(occupancy["dwelling"], old, new)
            moved = {**occupancy, "start_date": new}
            await reprice_from(actor, moved, first_of_month(min(old, new)))
            await write_audit(actor, "correct", "housing_occupancy", occupancy["id"], ["start"])
            if note:
                return note
    if correction.step == "exit":
        return await _correct_exit(correction, actor, rows)
    return None


async def _vacancies_before(dwelling_id: int, old: dt.date, new: dt.date) -> str | None:
    """The entry moved from ``old`` to ``new``: the vacancy the entry ended (on the day before
    it) ends the day before ``new``. Moved earlier, a vacancy of the dwelling between the two
    dates ends the day before ``new`` too, and one that then has no day left is removed (the
    dwelling was occupied): the note returned says which."""
    day = dt.timedelta(days=1)
    if new > old:
        await Vacancy.update({Vacancy.end_date: new - day}).where(
            (Vacancy.dwelling == dwelling_id) & (Vacancy.end_date == old - day)
        )
        return None
    rows = await Vacancy.select(Vacancy.id, Vacancy.start_date, Vacancy.end_date).where(
        (Vacancy.dwelling == dwelling_id)
        & (Vacancy.end_date >= new)
        & (Vacancy.end_date <= old - day)
    )
    removed = [r for r in rows if r["start_date"] >= new]
    kept = [r["id"] for r in rows if r["start_date"] < new]
    if kept:
        await Vacancy.update({Vacancy.end_date: new - day}).where(Vacancy.id.is_in(kept))
    if not removed:
        return None
    await Vacancy.delete().where(Vacancy.id.is_in([r["id"] for r in removed]))
    periods = ", ".join(
        gettext("du {start} au {end}").format(
            start=format_date(r["start_date"]), end=format_date(r["end_date"])
        )
        for r in sorted(removed, key=lambda r: r["start_date"])
    )
    return gettext(
        "Logement : occupé dès le {new}, il n'était pas vacant ; la vacance {periods} est supprimée."
    ).format(new=format_date(new), periods=periods)


#: The note of an exit corrected to or from « the household stays » without any occupancy.
_NO_LEASE = N_(
    "Logement : aucun bail n'est rattaché à cet accompagnement dans la gestion locative, "
    "rien n'y est modifié."
)


def _turns_on_housing(correction: Any) -> bool:
    """Whether an exit's correction changes whether the household keeps its dwelling."""
    kept = kept_destinations(correction.workflow) if correction.workflow else None
    if kept is None or "exit_destination" not in correction.after:
        return False
    return (correction.before["exit_destination"] in kept) != (
        correction.after["exit_destination"] in kept
    )


async def _reference(occupancy: dict[str, Any]) -> str:
    row = (
        await Dwelling.select(Dwelling.reference)
        .where(Dwelling.id == occupancy["dwelling"])
        .first()
    )
    return str((row or {}).get("reference") or occupancy["dwelling"])


async def _already_closed(rows: list[dict[str, Any]]) -> str:
    """« Maintien » corrected to a departure while the lease is no longer open: the dwelling
    page recorded the household's exit after the support ended. The correction agrees with
    it; the occupancy stays as recorded and the note says so."""
    last = rows[-1]
    return gettext(
        "Logement : le bail du logement {reference} était déjà clos le {end} (sortie enregistrée sur la page du logement) ; la correction est cohérente, le bail n'est pas modifié."
    ).format(reference=await _reference(last), end=format_date(last["end_date"]))


async def _not_reopened(rows: list[dict[str, Any]], new_end: dt.date) -> str:
    """A departure corrected to « Maintien » while no occupancy ends on the old exit date
    (the exit did not close it: the dwelling page had). Consistent when the lease is still
    open or ran on after the support's end (a note says so); refused when the household
    left the dwelling on or before that end, since « Maintien » would then be false."""
    current = [r for r in rows if r["end_date"] is None]
    if current:
        return gettext(
            "Logement : le bail du logement {reference} est toujours en cours ; la correction est cohérente, rien n'est à rouvrir."
        ).format(reference=await _reference(current[-1]))
    last = max(rows, key=lambda r: r["end_date"])
    reference = await _reference(last)
    if last["end_date"] > new_end:
        return gettext(
            "Logement : le bail du logement {reference} a continué après la fin de l'accompagnement, jusqu'au {end} (sortie enregistrée sur la page du logement) ; la correction est cohérente, le bail n'est pas modifié."
        ).format(reference=reference, end=format_date(last["end_date"]))
    raise FormErrors(
        {
            "exit_destination": (
                gettext(
                    "Le bail du logement {reference} a été clos le {end} sur la page du logement, au plus tard à la fin de l'accompagnement le {new_end} : le ménage n'est pas resté dans son logement, le maintien dans le logement ne peut pas être enregistré."
                ).format(
                    reference=reference,
                    end=format_date(last["end_date"]),
                    new_end=format_date(new_end),
                )
            )
        }
    )


async def _correct_exit(correction: Any, actor: Actor, rows: list[dict[str, Any]]) -> str | None:
    """An exit corrected: its date moves the occupancy's end (and the vacancy after it); its
    destination, moved to or from one where the household keeps its dwelling (the mandate's
    « Maintien dans le logement »), reopens or closes the occupancy as the exit would have."""
    enrolment = correction.enrolment
    old_end = correction.before.get("exit_date", enrolment.exit_date)
    new_end = enrolment.exit_date
    current = (
        await Enrolments.select(Enrolments.exit_destination)
        .where(Enrolments.id == enrolment.id)
        .first()
    )
    new_destination = str((current or {}).get("exit_destination") or "")
    old_destination = str(correction.before.get("exit_destination", new_destination) or "")
    kept = kept_destinations(correction.workflow) if correction.workflow else None
    if kept is not None and new_end is not None:
        stayed, stays = old_destination in kept, new_destination in kept
        if stayed and stays:
            return None  # the occupancy outlives the support either way
        if stayed:
            occupancy = await enrolment_occupancy(enrolment.id)
            if occupancy is None:
                return await _already_closed(rows)
            await _close(actor, occupancy, new_end, exit_reason(new_destination), "exit_date")
            return None
        if stays:
            closed = [r for r in rows if r["end_date"] == old_end]
            if not closed:
                return await _not_reopened(rows, new_end)
            await _reopen(actor, closed[-1])
            return None
    closed = [r for r in rows if r["end_date"] == old_end]
    if old_end is None or new_end is None:
        return None
    if not closed:
        if new_end == old_end:
            return None
        last = rows[-1]
        end = last["end_date"]
        state = (
            gettext("clos le {end}").format(end=format_date(end))
            if end
            else gettext("toujours en cours")
        )
        return gettext(
            "Logement : le bail du logement {reference} n'a pas été clos par cette sortie ({state}, page du logement) ; sa date de fin n'est pas modifiée."
        ).format(reference=await _reference(last), state=state)
    occupancy = closed[-1]
    if kept is not None and exit_reason(new_destination) != occupancy["exit_reason"]:
        await Occupancy.update({Occupancy.exit_reason: exit_reason(new_destination)}).where(
            Occupancy.id == occupancy["id"]
        )
    if new_end != old_end:
        await lock_dwelling(occupancy["dwelling"])
        start = occupancy["start_date"]
        if new_end < start or await _others_overlap(occupancy, start, new_end):
            raise FormErrors(
                {"exit_date": gettext("Le logement ou le ménage est déjà pris à cette date.")}
            )
        await Occupancy.update({Occupancy.end_date: new_end, Occupancy.updated_at: now()}).where(
            Occupancy.id == occupancy["id"]
        )
        await Vacancy.update({Vacancy.start_date: new_end + dt.timedelta(days=1)}).where(
            (Vacancy.dwelling == occupancy["dwelling"])
            & (Vacancy.start_date == old_end + dt.timedelta(days=1))
        )
        moved = {**occupancy, "end_date": new_end}
        await reprice_from(actor, moved, first_of_month(min(old_end, new_end)))
        await write_audit(actor, "correct", "housing_occupancy", occupancy["id"], ["end"])
    return None


#: Why an exit cannot be corrected into « the household stays »: its dwelling is taken.
_TAKEN_SINCE = N_(
    "Le logement a été attribué à un autre ménage depuis la sortie (ou ce ménage en occupe "
    "un autre) : le maintien dans le logement ne peut pas être enregistré."
)


async def _reopen(actor: Actor, occupancy: dict[str, Any]) -> None:
    """Undo the exit of ``occupancy``: it runs on (no end), the vacancy its exit opened goes,
    the dwelling is occupied again and the months called since are called again in full.
    Refused when the dwelling or the household is taken after the old end."""
    old_end = occupancy["end_date"]
    await lock_dwelling(occupancy["dwelling"])
    if await _others_overlap(occupancy, occupancy["start_date"], None):
        raise FormErrors({"exit_destination": gettext(_TAKEN_SINCE)})
    await Vacancy.delete().where(
        (Vacancy.dwelling == occupancy["dwelling"])
        & (Vacancy.start_date == old_end + dt.timedelta(days=1))
        & (Vacancy.cause == "between_occupants")
    )
    await Occupancy.update(
        {
            Occupancy.end_date: None,
            Occupancy.exit_reason: "",
            Occupancy.version: occupancy["version"] + 1,
            Occupancy.updated_at: now(),
        }
    ).where(Occupancy.id == occupancy["id"])
    if occupancy["start_date"] <= today():
        await Dwelling.update({Dwelling.status: "occupied"}).where(
            (Dwelling.id == occupancy["dwelling"]) & (Dwelling.status == "available")
        )
    # The exit month was prorated and the later calls removed: every month called since the
    # exit (the monthly run went by) is called again for this occupancy, in full.
    history = (await terms_history([occupancy["id"]]))[occupancy["id"]]
    reopened = {**occupancy, "end_date": None}
    for row in (
        await LedgerEntry.select(LedgerEntry.month)
        .where((LedgerEntry.kind == "call") & (LedgerEntry.month >= first_of_month(old_end)))
        .distinct()
    ):
        await sync_called_month(reopened, row["month"], history, actor)
    await write_audit(actor, "correct", "housing_occupancy", occupancy["id"], ["end", "reopen"])
