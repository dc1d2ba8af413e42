"""Pure rules of the youth IML: the age at admission and the CEJ (*Contrat d'Engagement
Jeune*). No database here, so every rule is unit-tested. The occupancy agreement is the
sub-lease's, owned by housing (``housing.SUBLEASE_AGREEMENT``).

Date arithmetic (``add_months``, ``age_on``) comes from :mod:`tremplin.api`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import N_, add_months, age_on, domain, format_date

gettext = domain(__name__).gettext

KEY = "iml_youth"
MIN_AGE, MAX_AGE = 18, 25
#: The CEJ lasts 12 months, 18 at most, for up to 528 € a month (seed 000, La Clède 2024).
CEJ_MONTHS, CEJ_MAX_MONTHS = 12, 18
CEJ_MAX_ALLOWANCE_CENTS = 52_800


def age_refusal(birth: dt.date | None, on: dt.date) -> str | None:
    """Why a young person cannot be admitted on ``on`` (``None``: aged 18 to 25)."""
    if birth is None:
        return (
            "La date de naissance de la personne de référence n'est pas renseignée : "
            "l'IML jeunes est réservée aux 18–25 ans."
        )
    age = age_on(birth, on)
    if MIN_AGE <= age <= MAX_AGE:
        return None
    return gettext(
        "L'IML jeunes est réservée aux jeunes de {min_age} à {max_age} ans : la personne "
        "de référence a {age} ans à la date de la décision. Pour une exception, indiquez "
        "le motif de dérogation."
    ).format(min_age=MIN_AGE, max_age=MAX_AGE, age=age)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else None


def cej_errors(data: dict[str, Any]) -> dict[str, str]:
    """Field → French message for an inconsistent CEJ (dates, length, allowance, suspension)."""
    errors: dict[str, str] = {}
    start, end = _date(data.get("cej_start")), _date(data.get("cej_end"))
    if end and not start:
        errors["cej_start"] = N_("indiquez la date de début du CEJ")
    if start and end:
        if end <= start:
            errors["cej_end"] = N_("la fin du CEJ doit suivre son début")
        elif end > add_months(start, CEJ_MAX_MONTHS):
            errors["cej_end"] = gettext(
                "le CEJ dure {months} mois, {max_months} au plus : fin au plus tard le {date}"
            ).format(
                months=CEJ_MONTHS,
                max_months=CEJ_MAX_MONTHS,
                date=format_date(add_months(start, CEJ_MAX_MONTHS)),
            )
    allowance = data.get("cej_allowance")
    if allowance is not None and int(allowance) > CEJ_MAX_ALLOWANCE_CENTS:
        errors["cej_allowance"] = N_("l'allocation CEJ est de 528,00 € par mois au plus")
    if data.get("cej_suspended") and not data.get("cej_suspended_on"):
        errors["cej_suspended_on"] = N_("indiquez la date de la suspension")
    return errors


def cej_status(data: dict[str, Any], on: dt.date) -> str:
    """A short French status of the CEJ for lists: none, ongoing, suspended, ended."""
    start, end = _date(data.get("cej_start")), _date(data.get("cej_end"))
    if data.get("cej_suspended"):
        since = _date(data.get("cej_suspended_on"))
        if since:
            return gettext("suspendu depuis le {date}").format(date=format_date(since))
        return gettext("suspendu")
    if start is None:
        return gettext("pas de CEJ")
    if start > on:
        return gettext("débute le {date}").format(date=format_date(start))
    if end and end < on:
        return gettext("terminé le {date}").format(date=format_date(end))
    if end:
        return gettext("en cours jusqu'au {date}").format(date=format_date(end))
    return gettext("en cours")
