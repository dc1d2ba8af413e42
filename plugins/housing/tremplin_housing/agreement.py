"""The occupancy agreement (*convention d'occupation*), owned by housing for every programme
that sub-lets: its terms come from the programme's :class:`AgreementPolicy` (term, maximum,
derogation, signatories, PDF template), its renewals live in ``housing_agreement_renewal``.

The agreement runs from the enrolment's entry date; it ends after the first term, or on
the last renewal's ``until``; the exit (closing the occupancy) ends it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    AgreementPolicy,
    Enrolments,
    FormErrors,
    NewEvent,
    add_months,
    add_timeline_event,
    audit,
    domain,
    fetch_rows,
    format_date,
    now,
    refresh_due_dates,
    sql_columns,
    sql_placeholders,
    transaction,
)
from tremplin_housing.tables import AgreementRenewal, Occupancy

gettext = domain(__name__).gettext


def first_end(entry: dt.date, policy: AgreementPolicy) -> dt.date:
    return add_months(entry, policy.term_months)


def max_end(entry: dt.date, policy: AgreementPolicy) -> dt.date | None:
    return add_months(entry, policy.max_months) if policy.max_months else None


def end_of(entry: dt.date, policy: AgreementPolicy, renewals: list[dict[str, Any]]) -> dt.date:
    """The agreement's end: the last renewal's ``until``, or the end of the first term."""
    return renewals[-1]["until"] if renewals else first_end(entry, policy)


async def renewals_of(enrolment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Enrolment → its renewals, oldest first (one query)."""
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in enrolment_ids}
    if not enrolment_ids:
        return out
    # Hand-written (fetch_rows): read by the agreement panel on every household page.
    for r in await fetch_rows(
        f'SELECT {sql_columns(AgreementRenewal)} FROM "housing_agreement_renewal" '
        f'WHERE "enrolment" IN ({sql_placeholders(len(enrolment_ids))}) '
        'ORDER BY "until", "id"',
        *enrolment_ids,
    ):
        out[r["enrolment"]].append(r)
    return out


async def agreement_ends(rows: list[dict[str, Any]], policy: AgreementPolicy) -> dict[int, dt.date]:
    """Enrolment id → the end of its agreement, for rows with ``id`` and ``entry_date``
    (those without an entry are left out). One query for all."""
    entered = [r for r in rows if r.get("entry_date")]
    renewals = await renewals_of([r["id"] for r in entered])
    return {r["id"]: end_of(r["entry_date"], policy, renewals[r["id"]]) for r in entered}


async def renew(
    enrolment_id: int,
    programme: str,
    policy: AgreementPolicy,
    decided_on: dt.date,
    *,
    until: dt.date | None = None,
    derogation_reason: str = "",
    user_id: int | None = None,
    address: str = "",
    event_kind: str = "agreement_renewal",
) -> dt.date:
    """Record a renewal (or, past the maximum, a derogation) of the enrolment's agreement;
    returns its new end. ``until`` is the new end asked for (a derogation); by default one
    more term. Refused, with every reason at once, when the agreement is not running, when
    the new end passes the maximum without a derogation reason (or derogations are not
    allowed), or when the programme's agreement is not renewable and no ``until`` is given.
    """
    reason = (derogation_reason or "").strip()
    async with transaction():
        row = (
            await Enrolments.select(
                Enrolments.id, Enrolments.household, Enrolments.state, Enrolments.entry_date
            )
            .where((Enrolments.id == enrolment_id) & (Enrolments.programme == programme))
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        entry = row["entry_date"]
        if entry is None or row["state"] != "housed":
            raise FormErrors({"_renewal": "Seule une convention en cours peut être renouvelée."})
        occupancy = (
            await Occupancy.select(Occupancy.id)
            .where((Occupancy.enrolment == enrolment_id) & Occupancy.end_date.is_null())
            .first()
        )
        if occupancy is not None:
            # Serialise two renewals of the same agreement (PostgreSQL waits here).
            await Occupancy.update({Occupancy.updated_at: now()}).where(
                Occupancy.id == occupancy["id"]
            )
        renewals = (await renewals_of([enrolment_id]))[enrolment_id]
        current = end_of(entry, policy, renewals)
        limit = max_end(entry, policy)
        errors: dict[str, str] = {}
        if until is None:
            if not policy.renewable:
                errors["until"] = N_("indiquez la nouvelle fin de l'occupation")
            else:
                until = add_months(entry, policy.term_months * (len(renewals) + 2))
        if until is not None and not policy.renewable and limit and until <= limit:
            errors["until"] = gettext(
                "une dérogation porte au-delà des {months} mois d'occupation"
            ).format(months=policy.max_months)
        elif until is not None and until <= current:
            errors["until"] = gettext(
                "la nouvelle fin doit suivre la fin actuelle ({date})"
            ).format(date=format_date(current))
        beyond = until is not None and limit is not None and until > limit
        if beyond and not policy.derogation:
            errors["until"] = gettext(
                "la convention ne peut dépasser {months} mois ({date})"
            ).format(months=policy.max_months, date=format_date(limit))
        elif beyond and not reason:
            errors["derogation_reason"] = gettext(
                "Au-delà de {months} mois, un motif de dérogation est obligatoire."
            ).format(months=policy.max_months)
        if errors:
            raise FormErrors(errors)
        assert until is not None  # given, or computed above when renewable; else refused
        await AgreementRenewal.insert(
            AgreementRenewal(
                enrolment=enrolment_id,
                occupancy=occupancy["id"] if occupancy else None,
                decided_on=decided_on,
                until=until,
                derogation_reason=reason,
                decided_by=user_id,
                created_at=now(),
            )
        )
        # The renewal's one line on the timeline, dated by its decision.
        await add_timeline_event(
            Actor(user_id, address),
            row["household"],
            NewEvent(
                kind=event_kind,
                title="Renouvellement de la convention"
                if policy.renewable
                else "Dérogation à la durée d'occupation",
                body=f"Convention prolongée jusqu'au {until:%d/%m/%Y}",
                on=decided_on,
                data={"until": until.isoformat()},
            ),
            programme=programme,
            enrolment_id=enrolment_id,
            audit_action=None,
        )
        await audit(
            "renew", "enrolment", enrolment_id, user_id=user_id, fields=["renewal"], address=address
        )
        # The agreement's end is a declared deadline of the programme: recompute it now.
        await refresh_due_dates(enrolment_id)
    return until


async def ending_within(
    programme: str, policy: AgreementPolicy, on: dt.date, days: int
) -> list[tuple[dt.date, dict[str, Any]]]:
    """(end, enrolment row with ``id``, ``household``, ``entry_date``, ``name``) of the
    programme's running agreements ending within ``days`` of ``on`` (or already past their
    end), soonest first. Narrowed in SQL: an agreement renewed until after the horizon, or
    entered less than a first term before it, cannot end within it."""
    horizon = on + dt.timedelta(days=days)
    renewed_beyond = AgreementRenewal.select(AgreementRenewal.enrolment).where(
        AgreementRenewal.until > horizon
    )
    earliest_entry = add_months(horizon, -policy.term_months)
    rows = await Enrolments.select(
        Enrolments.id,
        Enrolments.household,
        Enrolments.entry_date,
        Enrolments.household.name.as_alias("name"),
    ).where(
        (Enrolments.programme == programme)
        & (Enrolments.state == "housed")
        & (Enrolments.entry_date <= earliest_entry)
        & Enrolments.id.not_in(renewed_beyond)
        & Enrolments.household.archived_at.is_null()
    )
    ends = await agreement_ends(rows, policy)
    out = [(ends[r["id"]], r) for r in rows if r["id"] in ends and ends[r["id"]] <= horizon]
    return sorted(out, key=lambda x: (x[0], x[1]["name"]))
