"""Enrolment panels: the global support of an IML under mandate (dates, 12-month limit,
DDETS agreement, adherence contract, the lease from the housing plugin), and one support
measure (months-measures, reinforced contract, debt evolution, rent account up to date
or in arrears)."""

from __future__ import annotations

from typing import Any

from tremplin.api import EnrolmentView, measure_months, today
from tremplin_housing import api as housing
from tremplin_iml_mandate.measures import DEBT_CATEGORIES, debt_category, debt_change_percent
from tremplin_iml_mandate.workflow import (
    MEASURE_KINDS,
    contract_end,
    max_end,
    support_end,
    support_start,
)


async def support_panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    start = support_start(enrolment) if enrolment.state != "refused" else None
    data = enrolment.data
    leases = [o for o in await housing.occupancies(enrolment.household_id) if o.kind == "lease"]
    lease = leases[-1] if leases else None
    end = support_end(enrolment)
    on = today()
    active = enrolment.state in ("pre_entry", "housed")
    return {
        "start": start,
        "max_end": max_end(start) if start else None,
        "planned_end": end,
        "overdue": bool(active and end and on > end),
        "derogation_until": data.get("derogation_until"),
        "derogation_reason": data.get("derogation_reason") or "",
        "ddets": data.get("ddets_agreement_date"),
        "contract": data.get("adherence_contract_date"),
        "lease": lease,
        "months": measure_months(start, min(enrolment.exit_date or on, on)) if start else 0,
        "show": start is not None,
    }


async def measure_panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    data = enrolment.data
    on = today()
    start = enrolment.entry_date
    entry_debt = data.get("debt_at_entry")
    latest = data.get("debt_latest")
    category = debt_category(entry_debt, latest, bool(data.get("plan_kept")))
    labels = {c.value: c.label for c in DEBT_CATEGORIES}
    # Social staff see whether the rent account is in arrears, never the ledger's amounts.
    arrears = None
    if await housing.occupancies(enrolment.household_id):
        arrears = await housing.in_arrears(enrolment.household_id, on)
    return {
        "kind": next((c.label for c in MEASURE_KINDS if c.value == data.get("measure_kind")), ""),
        "start": start,
        "end": enrolment.exit_date,
        "months": measure_months(start, min(enrolment.exit_date or on, on)) if start else None,
        "contract_end": contract_end(enrolment),
        "contract_goals": data.get("contract_goals") or "",
        "entry_debt": entry_debt,
        "latest_debt": latest,
        "category": labels.get(
            category or "",
            "montant en fin de mesure non renseigné" if category == "unknown" else "",
        ),
        # plan_not_kept is only given when both debts are known
        "change": debt_change_percent(entry_debt, latest)  # type: ignore[arg-type]
        if category == "plan_not_kept"
        else None,
        "arrears": arrears,
        "on": on,
    }
