"""Field declarations of the core forms and the one validation routine every form uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from tremplin import vocabulary as v
from tremplin.i18n import N_, gettext
from tremplin.services import clock
from tremplin.types import Choice, ChoiceContext, Field, FieldError

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSON_FIELDS",
    "FormErrors",
    "parse_fields",
    "resolve_choices",
    "validate",
]


class FormErrors(Exception):
    """Raised with every field's French error; the form is shown again with what was typed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, m in errors.items()))
        self.errors = errors


def parse_fields(
    fields: Iterable[Field], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse every field of ``raw``: the values (``None`` for a field that did not parse) and
    the field errors. For forms that also run cross-field checks, so that field errors and
    cross-field errors are reported together in one pass."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            values[field.name] = field.parse(raw.get(field.name))
        except FieldError as exc:
            errors[field.name] = str(exc)
            values[field.name] = None
    return values, errors


def validate(fields: Iterable[Field], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Parse every field of ``raw``; raise :class:`FormErrors` listing all problems at once."""
    values, errors = parse_fields(fields, raw)
    if errors:
        raise FormErrors(errors)
    return values


async def resolve_choices(
    fields: Iterable[Field],
    context: ChoiceContext | None = None,
    keep: Mapping[str, Any] | None = None,
) -> list[Field]:
    """``fields`` with the current choices of each ``choices_from`` field, awaited once.

    Call it before rendering a form and again before :func:`validate` when it is posted (the
    choices may have changed meanwhile). ``keep`` holds the stored values of a record being
    corrected: a stored value no longer offered stays a valid choice, so correcting another
    field never forces a new one.
    """
    out = []
    for field in fields:
        field = await field.resolved(context)
        stored = (keep or {}).get(field.name) if field.choices_from is not None else None
        if stored not in (None, "", []):
            offered = {c.value for c in field.choices}
            extra = [
                str(v)
                for v in (stored if isinstance(stored, list) else [stored])
                if str(v) not in offered
            ]
            if extra:
                field = replace(
                    field,
                    choices=(
                        *field.choices,
                        *(
                            Choice(v, gettext("{value} (valeur enregistrée)").format(value=v))
                            for v in extra
                        ),
                    ),
                )
        out.append(field)
    return out


HOUSEHOLD_FIELDS = (
    Field("name", N_("Nom du ménage"), required=True, help=N_("Par exemple « MARTIN Éléonore »")),
    Field("composition", N_("Composition familiale"), kind="choice", choices=v.COMPOSITIONS),
    Field("resources", N_("Ressources"), kind="multichoice", choices=v.RESOURCES),
    Field(
        "situation_before_entry",
        N_("Situation avant l'entrée"),
        kind="choice",
        choices=v.SITUATIONS,
    ),
    Field("address", N_("Adresse"), kind="textarea", group="contact"),
    Field("phone", N_("Téléphone"), kind="phone", group="contact"),
    Field("email", N_("Courriel"), kind="email", group="contact"),
)


def _birth_date_check(value: str | None) -> None:
    if value and dt.date.fromisoformat(value) > clock.today():
        raise FieldError(N_("la date de naissance est dans le futur"))


PERSON_FIELDS = (
    Field("first_name", N_("Prénom"), required=True, max_length=100),
    Field("last_name", N_("Nom"), required=True, max_length=100),
    Field("birth_date", N_("Date de naissance"), kind="date"),
    Field("sex", N_("Sexe"), kind="choice", choices=v.SEXES),
    Field("nationality", N_("Nationalité"), kind="choice", choices=v.NATIONALITIES),
)

MEMBERSHIP_FIELDS = (
    Field(
        "relation",
        N_("Lien avec la personne de référence"),
        kind="choice",
        required=True,
        choices=v.RELATIONS,
    ),
    Field("start_date", N_("Dans le ménage depuis le"), kind="date", required=True),
)


def validate_person(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The person fields, plus a birth date that is not in the future; all errors at once."""
    errors: dict[str, str] = {}
    try:
        values = validate(PERSON_FIELDS, raw)
    except FormErrors as exc:
        errors, values = exc.errors, {}
    if "birth_date" not in errors:
        try:
            _birth_date_check(PERSON_FIELDS[2].parse(raw.get("birth_date")))
        except FieldError as exc:
            errors["birth_date"] = str(exc)
    if errors:
        raise FormErrors(errors)
    return values
