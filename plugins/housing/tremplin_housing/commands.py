"""``tremplin housing …``: the housing plugin's command lines (for a monthly cron job)."""

from __future__ import annotations

from typing import Any

from tremplin.api import N_, Actor, Command, CommandArgument, CommandError, FormErrors, today
from tremplin_housing.calc import add_months, month_bounds
from tremplin_housing.ledger import run_rent_calls
from tremplin_housing.routes.arrears import month_label, parse_month


async def rent_calls(values: dict[str, Any]) -> str:
    """Call the month's rents, as the « Appels de loyer » page does; running it again for
    the same month calls nothing twice."""
    text = values.get("month") or today().strftime("%Y-%m")
    try:
        month = parse_month(text)
    except FormErrors as exc:
        raise CommandError(
            f"--month {text} : {exc.errors.get('month', 'mois illisible')}"
        ) from None
    if month > add_months(month_bounds(today())[0], 1):
        raise CommandError(N_("un loyer ne s'appelle pas plus d'un mois à l'avance"))
    result = await run_rent_calls(Actor(user_id=None, address="cli"), month)
    return (
        f"Appels de loyer de {month_label(month)} : {result['created']} créé(s), "
        f"{result['already']} déjà appelé(s), {result['total']} occupation(s) concernée(s)."
    )


COMMANDS = [
    Command(
        "rent-calls",
        "appeler les loyers d'un mois (par défaut le mois en cours)",
        rent_calls,
        arguments=(CommandArgument("--month", help="le mois, AAAA-MM"),),
    )
]
