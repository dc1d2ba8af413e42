"""Parsing and formatting of typed values: what a form sends turned into what is stored
(dates as ISO strings, money in cents…), and a stored value shown back in French.

The contract a plugin declares (:class:`~tremplin.types.Field` and the other dataclasses) is in
:mod:`tremplin.types`; its methods call the functions here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from tremplin.i18n import N_, gettext

if TYPE_CHECKING:
    from tremplin.types import Field

__all__ = [
    "CONTROL_CHARACTERS",
    "UNKNOWN_CHOICE",
    "FieldError",
    "form_value",
    "has_control_characters",
    "label_of",
    "parse",
    "parse_date",
    "parse_money",
    "period_filter",
]


class FieldError(ValueError):
    """A value a user typed is not acceptable; the message is French and shown as is."""


#: The error of a value that is not among a ``choices_from`` field's current choices.
UNKNOWN_CHOICE = "choix inconnu ou qui n'est plus proposé : choisissez dans la liste"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")
CONTROL_CHARACTERS = "caractère invisible ou de contrôle (NUL…) non accepté : retapez le texte"


def has_control_characters(text: str, multiline: bool = True) -> bool:
    """Whether ``text`` holds a NUL or another control character (line breaks and tabs are
    allowed in multi-line text). PostgreSQL refuses NUL in text, and neither engine should
    store what no one typed."""
    allowed = "\t\n\r" if multiline else "\t"
    return any((c < " " and c not in allowed) or "\x7f" <= c <= "\x9f" for c in text)


def parse_date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1900 <= value.year <= 2100:
            raise FieldError(N_("date hors des limites (1900–2100)"))
        return value
    raise FieldError(N_("date invalide (format attendu : jj/mm/aaaa)"))


def parse_money(text: str, minimum: int | None = 0, maximum: int | None = None) -> int:
    """``"1 234,56"`` → ``123456`` cents; negative amounts refused unless ``minimum`` allows."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError(N_("montant invalide (exemple : 350,00)")) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise FieldError(N_("deux décimales au maximum"))
    cents = int(amount * 100)
    if minimum is not None and cents < minimum:
        raise FieldError(
            N_("le montant ne peut pas être négatif") if minimum == 0 else N_("montant trop bas")
        )
    if cents > (maximum if maximum is not None else 100_000_000):
        raise FieldError(N_("montant trop élevé"))
    return cents


def label_of(field: Field, value: Any) -> str:
    """The French label of a stored value (choice labels, dates as dd/mm/yyyy)."""
    if value in (None, "", []):
        return ""
    from tremplin import i18n

    if field.kind == "choice" or field.choices_from is not None:
        return next(
            (i18n.gettext(c.label) for c in field.choices if c.value == str(value)), str(value)
        )
    if field.kind == "multichoice":
        return ", ".join(i18n.gettext(field.label_of_one(v)) for v in value)
    if field.kind == "bool":
        return i18n.gettext("oui") if value else i18n.gettext("non")
    if field.kind == "date":
        return i18n.format_date(value)
    if field.kind == "money":
        return i18n.format_money(int(value))
    return str(value)


def form_value(field: Field, stored: Any) -> Any:
    """What an edit form shows for a stored value, so that posting the form back unchanged
    saves the same value: money in euros (``8550`` → ``"85,50"``), booleans as ``"on"``."""
    if stored is None:
        return None
    if field.kind == "money" and field.choices_from is None:
        try:
            cents = int(stored)
        except (TypeError, ValueError):
            return stored
        return f"{Decimal(cents) / 100:.2f}".replace(".", ",")
    if field.kind == "bool":
        return "on" if stored else None
    return stored


def parse(field: Field, raw: Any) -> Any:
    """Turn what the form sent into the stored value, or raise :class:`FieldError`.

    Dates are stored as ISO strings, money as integer cents, empty values as ``None``
    (``[]`` for multiple choices, ``False`` for booleans).
    """
    if field.kind == "multichoice":
        values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        allowed = {c.value for c in field.choices}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise FieldError(gettext("choix inconnu : {value}").format(value=bad[0]))
        if field.required and not values:
            raise FieldError(N_("ce champ est obligatoire"))
        return list(values)
    if field.kind == "bool":
        return str(raw).lower() in {"1", "true", "on", "oui", "yes"}
    value = _parse_one(field, raw)
    if (
        field.choices_from is not None
        and value is not None
        and str(value) not in {c.value for c in field.choices}
    ):
        raise FieldError(UNKNOWN_CHOICE)
    return value


def _parse_one(field: Field, raw: Any) -> Any:
    text = "" if raw is None else str(raw).strip()
    if not text:
        if field.required:
            raise FieldError(N_("ce champ est obligatoire"))
        return None
    if len(text) > (field.max_length if field.kind != "textarea" else 20_000):
        raise FieldError(gettext("{n} caractères au maximum").format(n=field.max_length))
    if has_control_characters(text, multiline=field.kind == "textarea"):
        raise FieldError(CONTROL_CHARACTERS)
    if field.kind == "date":
        return parse_date(text).isoformat()
    if field.kind == "int":
        try:
            number = int(text)
        except ValueError:
            raise FieldError(N_("nombre entier attendu")) from None
        if not -(2**63) <= number < 2**63:
            raise FieldError(N_("nombre trop grand"))
        _check_range(field, number)
        return number
    if field.kind == "money":
        return parse_money(text, field.minimum, field.maximum)
    if field.kind == "choice":
        if text not in {c.value for c in field.choices}:
            raise FieldError(UNKNOWN_CHOICE if field.choices_from else N_("choix inconnu"))
        return text
    if field.kind == "email" and not _EMAIL.match(text):
        raise FieldError(N_("adresse électronique invalide"))
    if field.kind == "phone" and not _PHONE.match(text):
        raise FieldError(N_("numéro de téléphone invalide"))
    return text


def _check_range(field: Field, number: int) -> None:
    if field.minimum is not None and number < field.minimum:
        raise FieldError(gettext("la valeur minimale est {n}").format(n=field.minimum))
    if field.maximum is not None and number > field.maximum:
        raise FieldError(gettext("la valeur maximale est {n}").format(n=field.maximum))


def period_filter(
    start: str, end: str, errors: dict[str, str], keys: tuple[str, str] = ("du", "au")
) -> tuple[dt.date | None, dt.date | None]:
    """The period of a list filter, from the URL's ISO days (``du``, ``au``): each day or
    ``None`` when empty. An unreadable day, or an end before the start, is added to
    ``errors`` under its key, in French."""
    days: list[dt.date | None] = []
    for key, text in zip(keys, (start, end), strict=True):
        day = None
        if text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                errors[key] = N_("date invalide (jj/mm/aaaa)")
        days.append(day)
    first, last = days
    if first and last and first > last:
        errors[keys[1]] = N_("la fin de la période précède son début")
    return first, last
