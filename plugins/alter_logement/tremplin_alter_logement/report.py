"""The Alter Logement report section, as the ASL 2024 publishes it: people accompanied
(adults, adult children, minor children), situation before entry, exits and where to.

No table of this section carries a name or an address: the reports of this programme are
read outside the team.
"""

from __future__ import annotations

from collections import Counter

from tremplin.api import (
    N_,
    Households,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    accompanied_enrolments,
    accompanied_households,
    age_on,
    exited_in_period,
    members_on_last_day,
    rows_from_counts,
)
from tremplin_alter_logement.workflow import (
    EXIT_DESTINATIONS,
    KEY,
    MAINSTREAM,
    SITUATIONS,
)

#: The household's core situation (``vocabulary.SITUATIONS``) when the enrolment has none.
_FROM_CORE = {
    "chrs": "insertion_shelter",
    "family": "family",
    "third_party": "third_party",
    "hotel": "hotel",
    "emergency_shelter": "emergency_shelter",
}


def person_kind(relation: str, birth, on) -> str:
    """``adult``, ``adult_child``, ``minor_child`` (a person under 18 is always a minor
    child) or ``unknown`` (a child whose birth date is not recorded)."""
    if birth is not None and age_on(birth, on) < 18:
        return "minor_child"
    if relation == "child":
        return "adult_child" if birth is not None else "unknown"
    return "adult"


PEOPLE = (
    ("adult", "Adultes"),
    ("adult_child", N_("Enfants majeurs")),
    ("minor_child", "Enfants mineurs"),
    ("unknown", N_("Enfants, âge non renseigné")),
)


async def people_counts(ctx: ReportContext, enrolments: list[dict]) -> Counter:
    """Each person present in an accompanied household, counted once, classified on the
    last day of the period they were accompanied."""
    people = await members_on_last_day(ctx.period, enrolments)
    return Counter(person_kind(m["relation"], m["birth_date"], m["day"]) for m in people.values())


async def alter_logement_tables(ctx: ReportContext) -> list[IndicatorTable]:
    enrolments = await accompanied_enrolments(ctx)
    people = await people_counts(ctx, enrolments)
    total_people = sum(people.values())
    core_situation = {
        h["id"]: h["situation_before_entry"]
        for h in await Households.select(Households.id, Households.situation_before_entry).where(
            Households.id.is_in(accompanied_households(ctx))
        )
    }
    situations = Counter(
        (e["data"] or {}).get("situation_before_entry")
        or _FROM_CORE.get(core_situation.get(e["household"]) or "", "unknown")
        for e in enrolments
    )
    exits = await exited_in_period(KEY, ctx.period)
    destinations = Counter(r["exit_destination"] or "unknown" for r in exits)
    mainstream = sum(n for k, n in destinations.items() if k in MAINSTREAM)
    n_exits = len(exits)
    return [
        IndicatorTable(
            "al_people",
            N_("Personnes accompagnées"),
            rows_from_counts(
                people,
                list(PEOPLE[:3]) + ([PEOPLE[3]] if people.get("unknown") else []),
                total_people,
            ),
            total=total_people,
            unit="personnes",
        ),
        IndicatorTable(
            "al_situation",
            N_("Situation avant l'entrée dans Alter Logement"),
            rows_from_counts(situations, SITUATIONS, len(enrolments), keep_empty=False),
            total=len(enrolments),
            chart="bar",
        ),
        IndicatorTable(
            "al_exits",
            N_("Ménages sortis d'Alter Logement"),
            (
                IndicatorRow(N_("Ménages sortis"), n_exits, key="exits"),
                IndicatorRow(
                    N_("dont vers un logement de droit commun"),
                    mainstream,
                    round(100 * mainstream / n_exits, 1) if n_exits else None,
                    key="mainstream",
                ),
            ),
            total=n_exits,
            unit="ménages",
        ),
        IndicatorTable(
            "al_destinations",
            N_("Destination des ménages sortis"),
            rows_from_counts(destinations, EXIT_DESTINATIONS, n_exits),
            total=n_exits,
            chart="bar",
        ),
    ]
