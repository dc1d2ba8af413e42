"""``tremplin housing …``: the housing plugin's command lines (for a monthly cron job)."""

from __future__ import annotations

from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Command,
    CommandArgument,
    CommandError,
    FormErrors,
    domain,
    format_date,
    today,
)
from tremplin_housing.calc import add_months, month_bounds
from tremplin_housing.ledger import run_rent_calls
from tremplin_housing.routes.arrears import parse_month

gettext = domain(__name__).gettext


async def rent_calls(values: dict[str, Any]) -> str:
    """Call the month's rents, as the « Appels de loyer » page does; running it again for
    the same month calls nothing twice."""
    text = values.get("month") or today().strftime("%Y-%m")
    try:
        month = parse_month(text)
    except FormErrors as exc:
        raise CommandError(
            gettext("--month {text} : {reason}").format(
                text=text, reason=gettext(exc.errors.get("month", N_("mois illisible")))
            )
        ) from None
    if month > add_months(month_bounds(today())[0], 1):
        raise CommandError(N_("un loyer ne s'appelle pas plus d'un mois à l'avance"))
    result = await run_rent_calls(Actor(user_id=None, address="cli"), month)
    return gettext(
        "Appels de loyer de {month} : {created} créé(s), {already} déjà appelé(s), "
        "{total} occupation(s) concernée(s)."
    ).format(
        month=format_date(month, "MMMM y"),
        created=result["created"],
        already=result["already"],
        total=result["total"],
    )


COMMANDS = [
    Command(
        "rent-calls",
        "appeler les loyers d'un mois (par défaut le mois en cours)",
        rent_calls,
        arguments=(CommandArgument("--month", help="le mois, AAAA-MM"),),
    )
]
