"""Data-quality check before a report: what would make its figures wrong, with links to fix."""

from __future__ import annotations

from typing import Any

from tremplin.models import Enrolment, Household, Membership
from tremplin.reports.indicators import accompanied, months
from tremplin.types import ReportContext

__all__ = ["quality_problems"]


async def quality_problems(ctx: ReportContext, limit: int = 200) -> list[dict[str, Any]]:
    """Each problem: household id, reference, what is wrong (French)."""
    p = ctx.period
    enrolments = await accompanied(ctx)
    ids = sorted({e["household"] for e in enrolments})
    households = {
        h["id"]: h
        for h in await Household.select(
            Household.id,
            Household.reference,
            Household.composition,
            Household.resources,
            Household.situation_before_entry,
        )
        .where(Household.id.is_in(ids or [-1]))
        .output(load_json=True)
    }
    problems: list[dict[str, Any]] = []

    def add(household: int, message: str) -> None:
        problems.append(
            {
                "household": household,
                "reference": households.get(household, {}).get("reference", ""),
                "message": message,
            }
        )

    for e in enrolments:
        h = e["household"]
        if not e["prescriber"]:
            add(h, "prescripteur non renseigné")
        if e["exit_date"] and p.start <= e["exit_date"] <= p.end and not e["exit_destination"]:
            add(h, "sortie sans destination")
        if e["exit_date"] and e["exit_date"] < e["entry_date"]:
            add(h, "date de sortie antérieure à l'entrée")
        end = min(e["exit_date"] or p.end, p.end)
        if ctx.max_duration_months and months(e["entry_date"], end) > ctx.max_duration_months + 0.5:
            add(
                h,
                f"au-delà de la durée maximale ({ctx.max_duration_months} mois) : vérifiez "
                "qu'une dérogation est enregistrée",
            )
    for h in ids:
        household = households[h]
        if not household["composition"]:
            add(h, "composition familiale non renseignée")
        if not household["resources"]:
            add(h, "ressources non renseignées")
        if not household["situation_before_entry"]:
            add(h, "situation avant l'entrée non renseignée")
    missing_birth = await Membership.select(Membership.household).where(
        Membership.household.is_in(ids or [-1])
        & Membership.person.birth_date.is_null()
        & (Membership.end_date.is_null() | (Membership.end_date >= p.start))
    )
    for m in {m["household"] for m in missing_birth}:
        add(m, "date de naissance manquante pour au moins une personne")
    orphan_exits = await Enrolment.select(Enrolment.household).where(
        (Enrolment.programme == ctx.programme)
        & Enrolment.exit_date.is_not_null()
        & Enrolment.entry_date.is_not_null()
        & (Enrolment.exit_date >= p.start)
        & (Enrolment.exit_date <= p.end)
        & (Enrolment.exit_date < Enrolment.entry_date)
    )
    known = {(x["household"], x["message"]) for x in problems}
    for o in orphan_exits:
        if (o["household"], "date de sortie antérieure à l'entrée") not in known:
            add(o["household"], "date de sortie antérieure à l'entrée")
    problems.sort(key=lambda x: (x["reference"], x["message"]))
    return problems[:limit]
