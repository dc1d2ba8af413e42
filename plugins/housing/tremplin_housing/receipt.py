"""Rent receipts (*quittances*): a PDF for a month whose rent is fully paid, through Typst.

Payments and directly-paid housing benefit settle the oldest called months first: a month
is fully paid when every credit recorded up to today covers the calls of that month and of
every month before it. The PDF is compiled from ``templates/housing/receipt.typ`` with the
data as JSON: every value is a string, so nothing typed by a user is read as Typst markup.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from tremplin.api import Households, today
from tremplin_housing.common import money_label
from tremplin_housing.tables import LedgerEntry

TEMPLATE = Path(__file__).parent / "templates" / "housing" / "receipt.typ"
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class ReceiptRefused(Exception):
    """No receipt for this month; ``status`` is 404 (nothing called) or 422 (not paid)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_month(text: str) -> dt.date:
    match = _MONTH.match(text or "")
    if not match:
        raise ReceiptRefused(404, "Mois invalide : indiquez-le sous la forme AAAA-MM.")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def unpaid_by_month(entries: list[dict[str, Any]], on: dt.date) -> dict[dt.date, int]:
    """What remains due on each called month, credits (benefit and payments recorded up to
    ``on``) settling the oldest months first."""
    calls: dict[dt.date, int] = {}
    credit = 0
    for e in entries:
        if e["kind"] == "call":
            calls[e["month"]] = calls.get(e["month"], 0) + e["amount_cents"]
        elif e["entry_date"] <= on:
            credit += e["amount_cents"]
    out = {}
    for month in sorted(calls):
        settled = min(credit, calls[month])
        credit -= settled
        out[month] = calls[month] - settled
    return out


async def receipt_data(
    occupancy: dict[str, Any],
    dwelling: dict[str, Any],
    address: str,
    month: dt.date,
    association: str,
) -> dict[str, str]:
    """What the receipt says, as strings; :class:`ReceiptRefused` when there is none."""
    entries = (
        await LedgerEntry.select()
        .where(LedgerEntry.occupancy == occupancy["id"])
        .order_by(LedgerEntry.entry_date)
    )
    on = today()
    unpaid = unpaid_by_month(entries, on)
    label = month_label(month)
    if month not in unpaid:
        raise ReceiptRefused(404, f"Aucun loyer n'a été appelé pour {label}.")
    if unpaid[month] > 0:
        raise ReceiptRefused(
            422,
            f"Le loyer de {label} n'est pas entièrement payé : il reste "
            f"{money_label(unpaid[month])} à régler.",
        )
    call = [e for e in entries if e["kind"] == "call" and e["month"] == month]
    rent = sum(e["rent_cents"] for e in call)
    charges = sum(e["charges_cents"] for e in call)
    benefit = sum(
        e["amount_cents"] for e in entries if e["kind"] == "benefit" and e["month"] == month
    )
    household = (
        await Households.select(Households.name, Households.reference)
        .where(Households.id == occupancy["household"])
        .first()
    )
    assert household is not None  # the occupancy's household (foreign key)
    last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return {
        "association": association,
        "household": household["name"],
        "household_reference": household["reference"],
        "dwelling": dwelling["reference"],
        "address": address,
        "month": label,
        "period": f"du {month.strftime('%d/%m/%Y')} au {last.strftime('%d/%m/%Y')}",
        "rent": money_label(rent),
        "charges": money_label(charges),
        "total": money_label(rent + charges),
        "benefit": money_label(benefit) if benefit else "",
        "household_share": money_label(rent + charges - benefit),
        "issued_on": on.strftime("%d/%m/%Y"),
    }


def render_pdf(data: dict[str, str]) -> bytes:
    import typst

    return typst.compile(
        str(TEMPLATE),
        root=str(TEMPLATE.parent),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True,
        timestamp=0,
    )
