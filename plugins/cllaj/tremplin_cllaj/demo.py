"""Demo data of the CLLAJ (``tremplin demo``, ``make run``): desk sessions at two places
with their anonymous intakes (some followed up), two collective workshops, and the steering
committees of the sliding-lease path with their decisions on the demo situations.

Intakes hold initials or a first name at most, as the desk's rules say.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import DemoContext, DemoData, vocabulary
from tremplin_cllaj import committee, desk, desk_workshops
from tremplin_cllaj.rules import (
    BAIL,
    DESK_PRESCRIBERS,
    DESK_RESOURCES,
    DESK_SITUATIONS,
    GLISSANT,
    JAPPART,
)

#: Desk places created when the installation has none left.
PLACES = ("Mission Locale – antenne centre-ville", "Mission Locale – antenne de la vallée")
INITIALS = ("K.", "Inès", "M. B.", "Yanis", "L.", "Sofia", "T. D.", "Noé", "A.", "Jade", "")
ADVICE = (
    "Information sur l'APL et la garantie VISALE, liste des résidences jeunes transmise.",
    "Orientation vers le foyer de jeunes travailleurs, dossier à compléter.",
    "Aide à la demande de logement social, numéro unique à créer.",
    "Présentation de J'APPART, rendez-vous de diagnostic proposé.",
    "Budget logement travaillé : loyer maximum 380 € avec les ressources actuelles.",
    "Conseils pour la recherche dans le parc privé, modèle de dossier locataire remis.",
)
WORKSHOPS = (
    ("Combien coûte un logement ?", "young", "Référent logement de la Mission Locale", 9),
    (
        "Faciliter l'accès au logement des jeunes accompagnés",
        "professionals",
        "Service logement de la Ville",
        14,
    ),
)
#: The committee's usual decision on a situation, by the state of its enrolment.
DECISION_OF = {
    "referral": "postpone",
    "diagnosed": "retain",
    "retained": "retain",
    "housed": "continue",
}


async def load_demo(ctx: DemoContext) -> str | None:
    if not {BAIL, JAPPART, GLISSANT} & set(ctx.programmes):
        return None
    rng, on = ctx.rng, ctx.today
    user = ctx.users.get("social_worker") or ctx.users.get("admin")
    # The migration creates the association's two places; add ours only if they were removed.
    place_ids = [p["id"] for p in await desk.places()][:2]
    for name in PLACES[len(place_ids) :]:
        place_ids.append(await desk.add_place({"name": name}, user, ""))
    sessions = intakes = 0
    # Weekly at the first place, monthly at the second, over the last three months.
    days = [(place_ids[0], on - dt.timedelta(days=7 * w + rng.randint(1, 3))) for w in range(12)]
    days += [(place_ids[1], on - dt.timedelta(days=30 * m + rng.randint(2, 8))) for m in range(3)]
    for place_id, held_on in sorted(days, key=lambda x: x[1]):
        session_id = await desk.create_session(
            {"place": str(place_id), "held_on": held_on.isoformat(), "notes": ""}, user, ""
        )
        sessions += 1
        for _ in range(rng.randint(1, 4)):
            raw = {
                "initials": rng.choice(INITIALS),
                "age": str(rng.randint(18, 29)),
                "sex": rng.choice(vocabulary.SEXES).value,
                "prescriber": rng.choice(DESK_PRESCRIBERS).value,
                "resources": rng.choice(DESK_RESOURCES).value,
                "situation": rng.choice(DESK_SITUATIONS).value,
                "advice": rng.choice(ADVICE),
            }
            intake_id = await desk.add_intake(session_id, raw, user, "")
            intakes += 1
            # Older intakes have mostly been followed up to an outcome.
            if (on - held_on).days > 40 and rng.random() < 0.6:
                status = rng.choice(("housed", "housed", "partner", "lost"))
                until = min(on, held_on + dt.timedelta(days=rng.randint(10, 35)))
                await desk.update_intake(
                    intake_id, {**raw, "status": status, "status_date": until.isoformat()}, user, ""
                )
    for number, (theme, audience, partner, attendees) in enumerate(WORKSHOPS):
        await desk_workshops.add_workshop(
            {
                "held_on": (on - dt.timedelta(days=20 + 45 * number)).isoformat(),
                "theme": theme,
                "audience": audience,
                "co_facilitator": partner,
                "attendees": str(attendees),
            },
            user,
            "",
        )
    meetings = decisions = 0
    if GLISSANT in ctx.programmes:
        situations = [e for e in ctx.enrolments_of(GLISSANT) if e.state in DECISION_OF]
        for months_ago, notes in (
            (3, "Présents : bailleur, Mission Locale, CLLAJ."),
            (1, "Présents : bailleur, FSL, CLLAJ. Point sur les glissements à venir."),
        ):
            held_on = on - dt.timedelta(days=30 * months_ago + rng.randint(0, 6))
            meeting_id = await committee.create_meeting(
                {"held_on": held_on.isoformat(), "notes": notes}, user, ""
            )
            meetings += 1
            for e in situations:
                if e.referral_date > held_on:
                    continue
                await committee.record_decision(
                    meeting_id,
                    {
                        "enrolment": str(e.id),
                        "decision": DECISION_OF[e.state],
                        "comment": "Situation présentée par la conseillère CLLAJ.",
                    },
                    user,
                    "",
                )
                decisions += 1
    return (
        f"{sessions} permanences, {intakes} accueils, {len(WORKSHOPS)} ateliers, "
        f"{meetings} comités ({decisions} décisions)"
    )


def demo_data() -> list[DemoData]:
    return [DemoData("cllaj", load_demo, order=50)]
