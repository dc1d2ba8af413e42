"""Arrears letters (first reminder, second reminder, formal notice) as PDFs, with Typst.

The template ships as ``templates/housing/arrears_letter.typ``; an association changes the
wording by placing its own copy at ``<templates_dir>/housing/arrears_letter.typ`` (the
``TREMPLIN_TEMPLATES_DIR`` setting). A letter is written for a recorded procedure step and
states the household, the dwelling, the balance at the step's date and the unpaid months.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tremplin.api import N_, Households, Memberships
from tremplin_housing.common import money_label
from tremplin_housing.fields import LETTER_STEPS
from tremplin_housing.ledger import balances_by_household
from tremplin_housing.receipt import month_label, unpaid_by_month
from tremplin_housing.tables import ArrearsStep, LedgerEntry

SHIPPED = Path(__file__).parent / "templates" / "housing"
TEMPLATE = "arrears_letter.typ"
TITLES = {
    "first_reminder": N_("Relance pour loyer impayé"),
    "second_reminder": N_("Deuxième relance pour loyer impayé"),
    "formal_notice": N_("Mise en demeure de payer"),
}
#: Days given to pay, counted from the letter's date.
DELAYS = {"first_reminder": 15, "second_reminder": 8, "formal_notice": 8}


class NoLetter(LookupError):
    """This step has no letter (a bailiff or a court writes the later ones)."""


def template_path(templates_dir: Path | None) -> Path:
    """The association's override when it exists, else the shipped template."""
    if templates_dir is not None:
        custom = Path(templates_dir) / "housing" / TEMPLATE
        if custom.is_file():
            return custom
    return SHIPPED / TEMPLATE


def _money(amount_cents: int) -> str:
    """Money with non-breaking spaces, so an amount is never split across two lines."""
    return money_label(amount_cents).replace(" ", "\u00a0")


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


async def get_step(step_id: int) -> dict[str, Any] | None:
    return await ArrearsStep.select().where(ArrearsStep.id == step_id).first()


async def letter_data(
    step: dict[str, Any], address: str, dwelling_reference: str, association: str, signatory: str
) -> dict[str, Any]:
    """What the letter prints, as strings (and the list of unpaid months)."""
    if step["step"] not in LETTER_STEPS:
        raise NoLetter(step["id"])
    household_id, day = step["household"], step["done_on"]
    household = (
        await Households.select(Households.name, Households.reference)
        .where(Households.id == household_id)
        .first()
    )
    assert household is not None  # the step's household (foreign key)
    people = await Memberships.select(
        Memberships.relation,
        Memberships.person.first_name.as_alias("first"),
        Memberships.person.last_name.as_alias("last"),
    ).where((Memberships.household == household_id) & Memberships.end_date.is_null())
    reference = next(
        (f"{p['first']} {p['last']}" for p in people if p["relation"] == "reference"), ""
    )
    balance = (await balances_by_household(day, [household_id])).get(household_id, 0)
    months = []
    if step["occupancy"] is not None:
        entries = await LedgerEntry.select().where(
            (LedgerEntry.occupancy == step["occupancy"]) & (LedgerEntry.entry_date <= day)
        )
        months = [
            {"label": month_label(m), "due": _money(due)}
            for m, due in sorted(unpaid_by_month(entries, day).items())
            if due > 0
        ]
    return {
        "association": association,
        "step": step["step"],
        "title": TITLES[step["step"]],
        "recipient": reference or household["name"],
        "household": household["name"],
        "household_reference": household["reference"],
        "salutation": "Madame, Monsieur",
        "dwelling": dwelling_reference,
        "dwelling_address": address,
        "date": _fr(day),
        "deadline": _fr(day + dt.timedelta(days=DELAYS[step["step"]])),
        "balance": _money(max(balance, 0)),
        "months": months,
        "signatory": signatory,
    }


def render_pdf(template: Path, data: dict[str, Any]) -> bytes:
    import typst

    return typst.compile(
        str(template),
        root=str(template.parent),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
        timestamp=0,
    )
