"""The desk's report sections, as the ASL 2024 report publishes them (seed 003): the young
people received at the desk sessions of the period (age, sex, resources, housing situation,
prescriber), sessions and people per place, follow-up, and the collective workshops.

The desk is not an enrolment programme: these sections are attached to the supported
lease's chapter, the ASL's "Le CLLAJ" chapter. Percentages are of the stated total,
rounded to one decimal.
"""

from __future__ import annotations

from collections import Counter

from tremplin.api import (
    N_,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    domain,
    rows_from_counts,
    vocabulary,
)
from tremplin_cllaj.rules import (
    DESK_AGE_BRACKETS,
    DESK_PRESCRIBERS,
    DESK_RESOURCES,
    DESK_SITUATIONS,
    DESK_STATUSES,
    HOSTED,
    age_bracket,
    percent,
)
from tremplin_cllaj.tables import (
    DeskIntake,
    DeskSession,
    Workshop,
)

gettext = domain(__name__).gettext


def indicator_row(label: str, count: float, total: float | None, key: str) -> IndicatorRow:
    return IndicatorRow(label, count, percent(count, total) if total is not None else None, key)


# --- Desk ----------------------------------------------------------------------------------


async def desk_tables(ctx: ReportContext) -> list[IndicatorTable]:
    """People received at the desk sessions held in the period, and the sessions per place."""
    start, end = ctx.period.start, ctx.period.end
    sessions = await DeskSession.select(
        DeskSession.id, DeskSession.place.name.as_alias("place")
    ).where((DeskSession.held_on >= start) & (DeskSession.held_on <= end))
    place_of = {s["id"]: s["place"] for s in sessions}
    intakes = await DeskIntake.select(
        DeskIntake.session,
        DeskIntake.age,
        DeskIntake.sex,
        DeskIntake.prescriber,
        DeskIntake.resources,
        DeskIntake.situation,
        DeskIntake.status,
    ).where(DeskIntake.session.is_in(list(place_of) or [-1]))
    n = len(intakes)
    sexes = Counter(i["sex"] or "unknown" for i in intakes)
    ages = Counter(age_bracket(i["age"]) for i in intakes)
    resources = Counter(i["resources"] or "unknown" for i in intakes)
    situations = Counter(i["situation"] or "unknown" for i in intakes)
    prescribers = Counter(i["prescriber"] or "unknown" for i in intakes)
    statuses = Counter(i["status"] for i in intakes)
    hosted = sum(situations.get(k, 0) for k in HOSTED)
    by_place_sessions = Counter(place_of.values())
    by_place_people = Counter(place_of[i["session"]] for i in intakes)
    places = sorted(by_place_sessions)
    return [
        IndicatorTable(
            "cllaj_desk_overview",
            N_("Permanence d'accueil-information-orientation"),
            (
                IndicatorRow(N_("Permanences tenues"), len(sessions), key="sessions"),
                IndicatorRow(N_("Jeunes reçus"), n, key="people"),
                indicator_row(N_("dont femmes"), sexes.get("F", 0), n, "women"),
                indicator_row(N_("dont hommes"), sexes.get("M", 0), n, "men"),
                indicator_row(
                    N_("orientés par la Mission Locale"),
                    prescribers.get("mission_locale", 0),
                    n,
                    "mission_locale",
                ),
                indicator_row(
                    N_("ressources inférieures au RSA"),
                    resources.get("below_rsa", 0),
                    n,
                    "below_rsa",
                ),
                indicator_row(N_("sans ressources"), resources.get("none", 0), n, "no_resources"),
                indicator_row(
                    N_("hébergés chez des tiers, en famille ou en institution"), hosted, n, "hosted"
                ),
            ),
            total=n,
            unit="jeunes",
        ),
        IndicatorTable(
            "cllaj_desk_ages",
            N_("Âge des jeunes reçus"),
            rows_from_counts(ages, [(k, label) for k, label, _, _ in DESK_AGE_BRACKETS], n),
            total=n,
            unit="jeunes",
            chart="bar",
        ),
        IndicatorTable(
            "cllaj_desk_sex",
            N_("Sexe des jeunes reçus"),
            rows_from_counts(sexes, vocabulary.SEXES, n),
            total=n,
            unit="jeunes",
        ),
        IndicatorTable(
            "cllaj_desk_resources",
            N_("Ressources des jeunes reçus"),
            rows_from_counts(resources, DESK_RESOURCES, n),
            total=n,
            unit="jeunes",
            chart="bar",
        ),
        IndicatorTable(
            "cllaj_desk_situation",
            N_("Situation de logement des jeunes reçus"),
            (
                *rows_from_counts(situations, DESK_SITUATIONS, n),
                indicator_row(
                    N_("Hébergés chez des tiers, en famille ou en institution"), hosted, n, "hosted"
                ),
            ),
            total=n,
            unit="jeunes",
            chart="bar",
            note=N_("La dernière ligne regroupe les trois premières."),
        ),
        IndicatorTable(
            "cllaj_desk_prescribers",
            N_("Prescripteurs des jeunes reçus"),
            rows_from_counts(prescribers, DESK_PRESCRIBERS, n),
            total=n,
            unit="jeunes",
        ),
        IndicatorTable(
            "cllaj_desk_places",
            N_("Permanences et jeunes reçus par lieu"),
            tuple(
                row
                for place in places
                for row in (
                    IndicatorRow(
                        gettext("{place} : permanences").format(place=place),
                        by_place_sessions[place],
                        key=f"sessions:{place}",
                    ),
                    indicator_row(
                        gettext("{place} : jeunes reçus").format(place=place),
                        by_place_people.get(place, 0),
                        n,
                        f"people:{place}",
                    ),
                )
            ),
            total=n,
            unit="",
            note=N_("Pourcentages des jeunes reçus dans l'année."),
        ),
        IndicatorTable(
            "cllaj_desk_followup",
            N_("Suivi des jeunes reçus (à la date du rapport)"),
            rows_from_counts(statuses, DESK_STATUSES, n),
            total=n,
            unit="jeunes",
        ),
    ]


async def workshop_tables(ctx: ReportContext) -> list[IndicatorTable]:
    rows = await Workshop.select().where(
        (Workshop.held_on >= ctx.period.start) & (Workshop.held_on <= ctx.period.end)
    )
    n = len(rows)
    co = sum(1 for r in rows if r["co_facilitator"].strip())
    pros = sum(1 for r in rows if r["audience"] == "professionals")
    return [
        IndicatorTable(
            "cllaj_workshops",
            N_("Ateliers collectifs"),
            (
                IndicatorRow(N_("Ateliers collectifs"), n, key="workshops"),
                indicator_row(N_("dont co-animés avec un partenaire"), co, n, "co_facilitated"),
                indicator_row(
                    N_("dont destinés aux professionnels des structures partenaires"),
                    pros,
                    n,
                    "professionals",
                ),
                IndicatorRow(
                    N_("Participants (total)"), sum(r["attendees"] for r in rows), key="attendees"
                ),
            ),
            total=n,
            unit="ateliers",
        )
    ]
