"""Enrolments: creation in a programme and workflow transitions with their guards."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from tremplin.db import transaction
from tremplin.errors import Actor, ConflictError, NotFound
from tremplin.forms import FormErrors, parse_fields, resolve_choices
from tremplin.i18n import N_
from tremplin.models import Enrolment, TimelineEvent, User
from tremplin.plugins import PluginHost
from tremplin.services import audit, deadlines
from tremplin.services.clock import business_datetime, now, today
from tremplin.services.commands import versioned_update
from tremplin.services.effects import run_effects
from tremplin.services.households import get_household
from tremplin.types import ChoiceContext, EnrolmentView, Field, GuardContext

__all__ = [
    "apply_transition",
    "business_date",
    "create_enrolment",
    "enrolment_fields",
    "to_view",
    "update_enrolment",
]

#: The core's own fields of the enrolment form (columns, not ``data``); see enrolment_fields.
CORE_FIELD_NAMES = frozenset({"referral_date", "prescriber", "referent"})
ENROLMENT_COLUMNS = {"decision_date", "entry_date", "exit_date", "exit_reason", "exit_destination"}
DATE_COLUMNS = {"decision_date", "entry_date", "exit_date", "referral_date"}


def enrolment_fields(host: PluginHost, programme: str) -> list[Field]:
    """The fields of the enrolment form: the core's, then the programme plugin's."""
    prog = host.programmes[programme]
    core = [
        Field("referral_date", N_("Date d'orientation"), kind="date", required=True, order=1),
        Field(
            "prescriber",
            N_("Prescripteur"),
            kind="choice",
            required=True,
            choices=prog.prescribers,
            order=2,
        ),
        Field("referent", N_("Travailleur social référent"), kind="int", order=3),
    ]
    return core + host.fields(programme)


def check_fields(host: PluginHost, programme: str, values: dict[str, Any]) -> None:
    """Run the programme's checks (its spec's and the core's); raise every message at once."""
    errors = cross_field_errors(host, programme, values)
    if errors:
        raise FormErrors(errors)


def cross_field_errors(
    host: PluginHost,
    programme: str,
    values: dict[str, Any],
    skip: set[str] | frozenset = frozenset(),
) -> dict[str, str]:
    """The messages of the programme's checks (its spec's and the core's). A field in ``skip``
    (it did not parse: its own error is already reported) is given to the checks as empty,
    and a check's message about it is dropped."""
    values = {k: (None if k in skip else v) for k, v in values.items()}
    errors: dict[str, str] = {}
    for check in host.checks(programme):
        for name, message in check.check(dict(values)).items():
            if name not in skip:
                errors.setdefault(name, message)
    return errors


async def _orientation_values(
    host: PluginHost, programme: str, fields: list[Field], raw: dict[str, Any]
) -> dict[str, Any]:
    """The orientation form's values, or :class:`FormErrors` with every error at once:
    field errors, the programme's cross-field checks and an unknown referent."""
    values, errors = parse_fields(fields, raw)
    errors.update(cross_field_errors(host, programme, values, skip=set(errors)))
    if values.get("referent") is not None and not await User.exists().where(
        (User.id == values["referent"]) & (User.role != "partner")
    ):
        errors.setdefault("referent", "référent inconnu")
    if errors:
        raise FormErrors(errors)
    return values


def to_view(row: dict[str, Any]) -> EnrolmentView:
    return EnrolmentView.from_row(row)


def choice_context(row: dict[str, Any], view: EnrolmentView | None = None) -> ChoiceContext:
    """What the ``choices_from`` of a transition's or an enrolment's fields are awaited with."""
    return ChoiceContext(
        programme=row["programme"],
        enrolment=view or to_view(row),
        household_id=row["household"],
        today=today(),
    )


async def get_enrolment(enrolment_id: int, programmes: list[str]) -> dict[str, Any]:
    row = (
        await Enrolment.select()
        .where((Enrolment.id == enrolment_id) & Enrolment.programme.is_in(programmes or [""]))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(enrolment_id)
    return row


async def create_enrolment(
    host: PluginHost, actor: Actor, household_id: int, programme: str, raw: dict[str, Any]
) -> int:
    if programme not in host.programmes:
        raise FormErrors({"programme": "programme inconnu ou désactivé"})
    fields = await resolve_choices(
        enrolment_fields(host, programme),
        ChoiceContext(programme=programme, household_id=household_id, today=today()),
    )
    values = await _orientation_values(host, programme, fields, raw)
    data = {k: v for k, v in values.items() if k not in CORE_FIELD_NAMES}
    workflow = host.workflows[programme]
    current = now()
    async with transaction():
        await get_household(household_id)
        row = await Enrolment.insert(
            Enrolment(
                household=household_id,
                programme=programme,
                state=workflow.initial,
                referral_date=dt.date.fromisoformat(values["referral_date"]),
                prescriber=values["prescriber"],
                referent=values["referent"],
                data=data,
                created_at=current,
                updated_at=current,
            )
        ).returning(Enrolment.id)
        enrolment_id = row[0]["id"]
        await TimelineEvent.insert(
            TimelineEvent(
                household=household_id,
                kind="state_change",
                occurred_at=business_datetime(dt.date.fromisoformat(values["referral_date"])),
                author=actor.user_id,
                programme=programme,
                title=f"Orientation vers {host.programmes[programme].name_fr}",
                data={"enrolment": enrolment_id, "to": workflow.initial},
                created_at=current,
            )
        )
        await deadlines.refresh(enrolment_id, host.workflows)
        await audit.record(
            "create",
            "enrolment",
            enrolment_id,
            user_id=actor.user_id,
            fields=values.keys(),
            address=actor.address,
        )
    return enrolment_id


async def apply_transition(
    host: PluginHost,
    actor: Actor,
    enrolment_id: int,
    transition_key: str,
    raw: dict[str, Any],
    version: int,
) -> str:
    """Move an enrolment along its workflow; returns the new state.

    Raises :class:`FormErrors` when a field is invalid or a guard refuses (the reason goes
    under ``_transition``), :class:`ConflictError` when the enrolment changed meanwhile.
    """
    async with transaction():
        row = await get_enrolment(enrolment_id, host.programme_keys)
        if row["version"] != version:
            raise ConflictError(row)
        workflow = host.workflows[row["programme"]]
        transition = next(
            (t for t in workflow.available(row["state"]) if t.key == transition_key), None
        )
        if transition is None:
            raise FormErrors({"_transition": "cette action n'est pas possible dans cet état"})
        view = to_view(row)
        fields = await resolve_choices(transition.fields, choice_context(row, view))
        # Field errors and the date order together; then, with every field readable and in
        # order, the guards' reasons, all of them (a guard reading a field in error would
        # only repeat that field's own message).
        values, errors = parse_fields(fields, raw)
        parsed = {k: v for k, v in values.items() if k not in errors}
        for name, message in _date_order_errors(row, parsed).items():
            errors.setdefault(name, message)
        if not errors:
            context = GuardContext(enrolment=view, values=values, today=today())
            reasons = []
            for guard in transition.guards:
                reason = guard(context)
                if inspect.isawaitable(reason):
                    reason = await reason
                if reason and reason not in reasons:
                    reasons.append(reason)
            if reasons:
                errors["_transition"] = " ".join(reasons)
        if errors:
            raise FormErrors(errors)
        update: dict[Any, Any] = {Enrolment.state: transition.target}
        data = dict(row["data"] or {})
        for name, value in values.items():
            if name in ENROLMENT_COLUMNS:
                if name in DATE_COLUMNS and value:
                    value = dt.date.fromisoformat(value)
                update[getattr(Enrolment, name)] = (
                    value if value is not None else (None if name in DATE_COLUMNS else "")
                )
            elif transition.store_values:
                data[name] = value
        update[Enrolment.data] = data
        await versioned_update(Enrolment, enrolment_id, version, update)
        # Transition effects (occupancy, vacancy, agreement…): same transaction, see effects.py.
        await run_effects(host, actor, transition, row, values)
        state = workflow.state(transition.target)
        day = business_date(values)
        date_field = next(
            (n for n in ("exit_date", "entry_date", "decision_date") if values.get(n)), None
        )
        if transition.timeline_event:
            await TimelineEvent.insert(
                TimelineEvent(
                    household=row["household"],
                    kind="state_change",
                    occurred_at=business_datetime(day),
                    author=actor.user_id,
                    programme=row["programme"],
                    title=f"{transition.label} → {state.label}",
                    data={
                        "enrolment": enrolment_id,
                        "from": row["state"],
                        "to": state.key,
                        "date": day.isoformat(),
                        "date_field": date_field,
                    },
                    created_at=now(),
                )
            )
        await audit.record(
            "transition",
            "enrolment",
            enrolment_id,
            user_id=actor.user_id,
            fields=["state", *values.keys()],
            address=actor.address,
        )
    return transition.target


def business_date(values: dict[str, Any]) -> dt.date:
    """The day a transition happened: its exit, entry or decision date, else today."""
    for name in ("exit_date", "entry_date", "decision_date"):
        if values.get(name):
            return dt.date.fromisoformat(values[name])
    return today()


def check_dates(row: dict[str, Any], values: dict[str, Any]) -> None:
    """Dates must follow each other: referral ≤ decision ≤ entry ≤ exit."""
    errors = _date_order_errors(row, values)
    if errors:
        raise FormErrors(errors)


def _date_order_errors(row: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    """Every date-order problem (referral ≤ decision ≤ entry ≤ exit), by field."""
    errors: dict[str, str] = {}
    dates = {k: row[k] for k in DATE_COLUMNS}
    for k in DATE_COLUMNS:
        if values.get(k):
            dates[k] = dt.date.fromisoformat(values[k])
    order = ["referral_date", "decision_date", "entry_date", "exit_date"]
    labels = {
        "referral_date": "l'orientation",
        "decision_date": "la décision",
        "entry_date": "l'entrée",
        "exit_date": "la sortie",
    }
    for i, later in enumerate(order):
        for earlier in order[:i]:
            if dates[later] and dates[earlier] and dates[later] < dates[earlier]:
                field = later if later in values else earlier
                errors.setdefault(
                    field, f"la date de {labels[later]} précède celle de {labels[earlier]}"
                )
    return errors


async def update_enrolment(
    host: PluginHost, actor: Actor, enrolment_id: int, version: int, raw: dict[str, Any]
) -> None:
    """Correct an enrolment's orientation fields and the programme's own fields.

    States and dates of entry or exit change only through the workflow's transitions.
    """
    async with transaction():
        row = await get_enrolment(enrolment_id, host.programme_keys)
        if row["version"] != version:
            raise ConflictError(row)
        fields = await resolve_choices(
            enrolment_fields(host, row["programme"]), choice_context(row), keep=row["data"]
        )
        values, errors = parse_fields(fields, raw)
        errors.update(cross_field_errors(host, row["programme"], values, skip=set(errors)))
        if values.get("referent") is not None and not await User.exists().where(
            (User.id == values["referent"]) & (User.role != "partner")
        ):
            errors.setdefault("referent", "référent inconnu")
        if values.get("referral_date"):
            for name, message in _date_order_errors(
                row, {"referral_date": values["referral_date"]}
            ).items():
                errors.setdefault(name, message)
        if errors:
            raise FormErrors(errors)
        own = {k: v for k, v in values.items() if k not in CORE_FIELD_NAMES}
        data = {**(row["data"] or {}), **own}
        changed = [
            k
            for k, v in values.items()
            if (row["data"] or {}).get(k, row.get(k)) != v and k != "referral_date"
        ]
        await versioned_update(
            Enrolment,
            enrolment_id,
            version,
            {
                Enrolment.referral_date: dt.date.fromisoformat(values["referral_date"]),
                Enrolment.prescriber: values["prescriber"],
                Enrolment.referent: values["referent"],
                Enrolment.data: data,
            },
        )
        await audit.record(
            "update",
            "enrolment",
            enrolment_id,
            user_id=actor.user_id,
            fields=changed or ["referral_date"],
            address=actor.address,
        )
