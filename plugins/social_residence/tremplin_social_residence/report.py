"""The social-residence report section: the Raspail residence table of the ASL 2024 report
(units, people housed, of whom isolated men, exits and where to, average age), plus entries
and lengths of stay — every figure computed from the data.

Rules (also in ``docs/programmes/social_residence.md``):

- a resident is *housed in the period* when they entered on or before its last day and had
  not left before its first day; each person of their household is counted once, as a member
  on the last day housed in the period (the period's end, or the exit date);
- the average age is that of the people aged 18 or more, on that same day;
- a length of stay counts whole months from the entry to the exit inclusive (15 March →
  14 June is 3 months); it is averaged over the exits of the period; a stay beyond 24 months
  is counted with its derogation.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tremplin.api import (
    N_,
    Households,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    accompanied_enrolments,
    accompanied_households,
    age_on,
    domain,
    exited_in_period,
    members_on_last_day,
    rows_from_counts,
    whole_months,
)
from tremplin_housing import api as housing
from tremplin_social_residence.tables import ResidenceUnit
from tremplin_social_residence.workflow import EXIT_DESTINATIONS, KEY, MAX_MONTHS

gettext = domain(__name__).gettext


def _mean(values: list[int] | list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0


async def _people(ctx: ReportContext, enrolments: list[dict[str, Any]]) -> dict[int, tuple]:
    """Each person housed → (household, age on the last day housed or ``None``)."""
    people = await members_on_last_day(ctx.period, enrolments)
    return {
        person: (m["household"], age_on(m["birth_date"], m["day"]) if m["birth_date"] else None)
        for person, m in people.items()
    }


async def social_residence_tables(ctx: ReportContext) -> list[IndicatorTable]:
    p = ctx.period
    enrolments = await accompanied_enrolments(ctx)
    composition = {
        h["id"]: h["composition"]
        for h in await Households.select(Households.id, Households.composition).where(
            Households.id.is_in(accompanied_households(ctx))
        )
    }
    people = await _people(ctx, enrolments)
    isolated_men = sum(1 for h, _ in people.values() if composition.get(h) == "isolated_man")
    isolated_women = sum(1 for h, _ in people.values() if composition.get(h) == "isolated_woman")
    adult_ages = [a for _, a in people.values() if a is not None and a >= 18]
    entries = [e for e in enrolments if p.start <= e["entry_date"] <= p.end]
    exits = await exited_in_period(KEY, p, entered_only=True)
    stays = [whole_months(e["entry_date"], e["exit_date"]) for e in exits]
    accompanied_ids = [e["id"] for e in enrolments]
    renewals = await housing.agreement_renewals(accompanied_ids)
    derogations = sum(
        1 for rows in renewals.values() if any(r["decided_on"] <= p.end for r in rows)
    )
    n_units = await ResidenceUnit.count()
    destinations = Counter(e["exit_destination"] or "unknown" for e in exits)
    return [
        IndicatorTable(
            "sr_overview",
            N_("La résidence sociale"),
            (
                IndicatorRow(N_("Nombre de logements"), n_units, key="units"),
                IndicatorRow(N_("Nombre de personnes logées"), len(people), key="people"),
                IndicatorRow(N_("dont hommes isolés"), isolated_men, key="isolated_men"),
                IndicatorRow(N_("dont femmes isolées"), isolated_women, key="isolated_women"),
                IndicatorRow(N_("Entrées"), len(entries), key="entries"),
                IndicatorRow(N_("Personnes ayant quitté la résidence"), len(exits), key="exits"),
                IndicatorRow(
                    N_("Âge moyen des locataires (ans)"), _mean(adult_ages), key="average_age"
                ),
                IndicatorRow(
                    N_("Durée moyenne de séjour des sortants (mois)"),
                    _mean(stays),
                    key="average_stay",
                ),
                IndicatorRow(
                    gettext("Séjours prolongés au-delà de {months} mois (dérogation)").format(
                        months=MAX_MONTHS
                    ),
                    derogations,
                    key="derogations",
                ),
            ),
            unit="",
        ),
        IndicatorTable(
            "sr_destinations",
            N_("Personnes ayant quitté la résidence, selon leur destination"),
            rows_from_counts(destinations, EXIT_DESTINATIONS, len(exits), keep_empty=False),
            total=len(exits),
            unit="ménages",
            chart="bar",
        ),
    ]
