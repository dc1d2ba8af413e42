"""Demo data of the management-mandate programme (``tremplin demo``, ``make run``): the
stabilisation axes with goals of the supports under way, and the measures funded this year
for the mandate and for the housing-related social support (ASLL)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import DemoContext, DemoData
from tremplin_iml_mandate import axes, funding
from tremplin_iml_mandate.workflow import KEY, SUPPORT_KEY

GOALS = {
    "administrative": (
        "Ouvrir les droits CAF et mettre à jour le dossier de la CPAM.",
        "Dossier CAF complet, attestation reçue.",
    ),
    "budget": (
        "Mettre en place le prélèvement du loyer résiduel et un budget mensuel.",
        "Budget tenu depuis trois mois.",
    ),
    "family": (
        "Soutenir l'organisation de la garde des enfants.",
        "Inscription en crèche en attente.",
    ),
    "employment": (
        "Reprendre contact avec France Travail et définir un projet de formation.",
        "Entrée en formation prévue le mois prochain.",
    ),
    "upkeep": (
        "Apprendre à entretenir la chaudière et aérer le logement.",
        "Visite à domicile : logement bien entretenu.",
    ),
    "neighbourhood": (
        "Apaiser les relations avec les voisins du palier.",
        "Médiation réalisée avec le syndic.",
    ),
}
#: Measures funded this year (figures of an ordinary year, fictional funders).
FUNDED = ((KEY, 30, "État (DDETS)"), (SUPPORT_KEY, 45, "Département (FSL)"))


async def load_demo(ctx: DemoContext) -> str | None:
    if KEY not in ctx.programmes:
        return None
    rng, on = ctx.rng, ctx.today
    user = ctx.users.get("social_worker") or ctx.users.get("admin")
    saved = 0
    for e in ctx.enrolments_of(KEY):
        if e.state not in axes.EDITABLE_STATES:
            continue
        started = e.entry_date or e.referral_date
        for axis in rng.sample(sorted(GOALS), 3):
            goals, comment = GOALS[axis]
            progress = rng.choice(("in_progress", "in_progress", "achieved", "not_started"))
            reviewed = min(on, started + dt.timedelta(days=rng.randint(15, 120)))
            await axes.save_axis(
                e.id,
                axis,
                {
                    "goals": goals,
                    "progress": progress,
                    "reviewed_on": reviewed.isoformat(),
                    "comment": comment if progress != "not_started" else "",
                },
                user,
                "",
            )
            saved += 1
    manager = ctx.users.get("head_of_service") or user
    for programme, funded, funder in FUNDED:
        if programme in ctx.programmes:
            await funding.set_funded(
                {
                    "programme": programme,
                    "year": str(on.year),
                    "funded": str(funded),
                    "funder": funder,
                },
                manager,
                "",
            )
    return f"{saved} axes de stabilisation, mesures financées {on.year}"


def demo_data() -> list[DemoData]:
    return [DemoData(KEY, load_demo, order=50)]
