"""The occupancy agreement's panel: its end, its maximum and its renewals (3-month terms up
to 18 months, beyond only by derogation: the programme's :data:`AGREEMENT` policy). The
renewal itself is the workflow's « Renouveler la convention » (housing's
``renewal_transition``); housing keeps the renewals."""

from __future__ import annotations

from typing import Any

from tremplin.api import EnrolmentView
from tremplin_housing import api as housing
from tremplin_iml_sublease.workflow import AGREEMENT


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    renewals = (await housing.agreement_renewals([enrolment.id]))[enrolment.id]
    entry = enrolment.entry_date
    return {
        "renewals": renewals,
        "agreement_end": housing.agreement_end(entry, AGREEMENT, renewals) if entry else None,
        "max_end": housing.agreement_max_end(entry, AGREEMENT) if entry else None,
    }
