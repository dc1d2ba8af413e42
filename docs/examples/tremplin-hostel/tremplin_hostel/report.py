"""The report section and the enrolment panel of Foyer de jeunes travailleurs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tremplin.api import (
    Enrolments,
    EnrolmentView,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    rows_from_counts,
)
from tremplin_hostel.tables import Review
from tremplin_hostel.workflow import KEY, NEEDS, STATUSES, review_due


async def needs_and_reviews(ctx: ReportContext) -> list[IndicatorTable]:
    """Referrals received in the period by main need, and the reviews held."""
    p = ctx.period
    referrals = (
        await Enrolments.select(Enrolments.id, Enrolments.data)
        .where(
            (Enrolments.programme == KEY)
            & (Enrolments.referral_date >= p.start)
            & (Enrolments.referral_date <= p.end)
        )
        .output(load_json=True)
    )
    needs = Counter((r["data"] or {}).get("main_need") or "unknown" for r in referrals)
    statuses = Counter((r["data"] or {}).get("youth_status") or "unknown" for r in referrals)
    reviews = await Review.count().where((Review.held_on >= p.start) & (Review.held_on <= p.end))
    return [
        IndicatorTable(
            f"{KEY}_overview",
            "Orientations et bilans",
            (
                IndicatorRow("Orientations reçues", len(referrals), key="referrals"),
                IndicatorRow("Bilans d'étape réalisés", reviews, key="reviews"),
            ),
            unit="",
        ),
        IndicatorTable(
            f"{KEY}_needs",
            "Besoin principal à l'orientation",
            rows_from_counts(needs, NEEDS, len(referrals)),
            total=len(referrals),
        ),
        IndicatorTable(
            f"{KEY}_statuses",
            "Situation des jeunes à l'orientation",
            rows_from_counts(statuses, STATUSES, len(referrals)),
            total=len(referrals),
            unit="jeunes",
        ),
    ]


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    """The variables of ``hostel/_reviews.html`` for one enrolment."""
    reviews = (
        await Review.select(Review.held_on, Review.summary)
        .where(Review.enrolment == enrolment.id)
        .order_by(Review.held_on)
    )
    return {"reviews": reviews, "next_review": review_due(enrolment)}
