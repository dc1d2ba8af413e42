"""The IML sub-lease report section: households leaving asylum accommodation (reinforced
support), their family composition and income, as La Clède publishes them."""

from __future__ import annotations

from collections import Counter

from tremplin.api import (
    N_,
    Households,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    accompanied_enrolments,
    rows_from_counts,
    vocabulary,
)


async def reinforced_support(ctx: ReportContext) -> list[IndicatorTable]:
    enrolments = [
        e for e in await accompanied_enrolments(ctx) if e["data"].get("reinforced_support")
    ]
    ids = sorted({e["household"] for e in enrolments})
    households = (
        await Households.select(Households.composition, Households.resources)
        .where(Households.id.is_in(ids or [-1]))
        .output(load_json=True)
    )
    n = len(ids)
    compositions = Counter(h["composition"] or "unknown" for h in households)
    resources = Counter(r for h in households for r in (h["resources"] or ["unknown"]))
    prescribers = Counter(e["prescriber"] or "unknown" for e in enrolments)
    return [
        IndicatorTable(
            "reinforced_overview",
            N_("Ménages sortant d'un dispositif asile"),
            (IndicatorRow(N_("Ménages accompagnés"), n, key="households"),),
            unit="",
        ),
        IndicatorTable(
            "reinforced_composition",
            N_("Composition familiale (sortants asile)"),
            rows_from_counts(compositions, vocabulary.COMPOSITIONS, n),
            total=n,
            chart="bar",
        ),
        IndicatorTable(
            "reinforced_resources",
            N_("Revenus (sortants asile)"),
            rows_from_counts(resources, vocabulary.RESOURCES, n, keep_empty=False),
            total=n,
            note=N_("Un ménage peut cumuler plusieurs ressources."),
        ),
        IndicatorTable(
            "reinforced_prescribers",
            N_("Orientations (sortants asile)"),
            rows_from_counts(
                prescribers, vocabulary.PRESCRIBERS, len(enrolments), keep_empty=False
            ),
            total=len(enrolments),
        ),
    ]
