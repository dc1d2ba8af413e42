"""The youth IML report section: the CEJ of the young people accompanied in the period.

Sex, composition, resources, length of stay and exits come from the core's common
indicators; this adds what La Clède tells the Mission Locale about the CEJ.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import N_, IndicatorRow, IndicatorTable, ReportContext, accompanied_enrolments


def _overlaps(data: dict, start: dt.date, end: dt.date) -> bool:
    if not data.get("cej_start"):
        return False
    cej_start = dt.date.fromisoformat(data["cej_start"])
    cej_end = dt.date.fromisoformat(data["cej_end"]) if data.get("cej_end") else None
    return cej_start <= end and (cej_end is None or cej_end >= start)


async def cej_table(ctx: ReportContext) -> list[IndicatorTable]:
    enrolments = await accompanied_enrolments(ctx)
    n = len({e["household"] for e in enrolments})
    with_cej = {
        e["household"]
        for e in enrolments
        if _overlaps(e["data"] or {}, ctx.period.start, ctx.period.end)
    }
    suspended = {
        e["household"]
        for e in enrolments
        if e["household"] in with_cej and (e["data"] or {}).get("cej_suspended")
    }

    def row(label: str, count: int, key: str) -> IndicatorRow:
        return IndicatorRow(label, count, round(100 * count / n, 1) if n else None, key)

    return [
        IndicatorTable(
            "cej",
            N_("Contrat d'Engagement Jeune (CEJ)"),
            (
                row("Jeunes accompagnés", n, "young_people"),
                row(
                    N_("dont bénéficiaires d'un CEJ pendant la période"), len(with_cej), "with_cej"
                ),
                row(N_("dont CEJ suspendu"), len(suspended), "suspended"),
            ),
            total=n,
            unit="jeunes",
            note=N_("Une suspension de l'allocation CEJ met en péril le paiement du loyer."),
        )
    ]
