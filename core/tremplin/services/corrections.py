"""Correcting a recorded step of an enrolment: admission, entry or exit.

The head of service fixes a wrong date, destination or reason after the fact, with a
mandatory reason. The correction goes through :func:`correct_step` only: it updates the
enrolment (version checked), runs the ``tremplin_step_corrected`` effects of the plugins
(housing moves its occupancy), adds a « Correction » event to the timeline and audits it, all
in one transaction. An effect may return a French note (housing: « the lease was already
closed on the dwelling page ») that the correction's timeline line carries. Reports read the enrolment's columns, so they follow.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

from tremplin.db import transaction
from tremplin.errors import Actor, ConflictError
from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import Enrolment, TimelineEvent
from tremplin.plugins import PluginHost
from tremplin.services import audit
from tremplin.services.clock import business_datetime
from tremplin.services.commands import NewEvent, add_timeline_event, versioned_update
from tremplin.services.enrolments import DATE_COLUMNS, check_dates, get_enrolment, to_view
from tremplin.types import Choice, Field, StepCorrection

__all__ = [
    "CORRECTING_ROLES",
    "STEPS",
    "correct_step",
    "correctable_steps",
    "correction_fields",
    "move_step_event",
]

#: The steps that can be corrected, their French name and the columns each one owns.
STEPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admission": ("l'admission", ("decision_date",)),
    "entry": ("l'entrée", ("entry_date",)),
    "exit": ("la sortie", ("exit_date", "exit_destination", "exit_reason")),
}
REASON_MESSAGE = "Indiquez le motif de la correction."
#: Who corrects a recorded step: the head of service (and the administrator).
CORRECTING_ROLES = ("head_of_service", "admin")


def correctable_steps(row: dict[str, Any]) -> list[str]:
    """The steps an enrolment has recorded (a step without its date cannot be corrected)."""
    first = {"admission": "decision_date", "entry": "entry_date", "exit": "exit_date"}
    return [step for step, column in first.items() if row.get(column)]


def _destinations(host: PluginHost, programme: str) -> tuple[Choice, ...]:
    for transition in host.workflows[programme].transitions:
        for f in transition.fields:
            if f.name == "exit_destination" and f.choices:
                return f.choices
    return host.programmes[programme].exit_destinations


def correction_fields(host: PluginHost, programme: str, step: str) -> tuple[Field, ...]:
    """The form of a correction: the step's columns, then the mandatory reason."""
    if step == "admission":
        own: tuple[Field, ...] = (
            Field("decision_date", N_("Date de la décision"), kind="date", required=True),
        )
    elif step == "entry":
        own = (Field("entry_date", N_("Date d'entrée"), kind="date", required=True),)
    else:
        own = (
            Field("exit_date", N_("Date de sortie"), kind="date", required=True),
            Field(
                "exit_destination",
                N_("Destination"),
                kind="choice",
                choices=_destinations(host, programme),
            ),
            Field("exit_reason", N_("Motif / commentaire de sortie"), max_length=100),
        )
    return (
        *own,
        Field("correction_reason", N_("Motif de la correction"), kind="textarea", required=True),
    )


def _stored(row: dict[str, Any], column: str) -> Any:
    value = row.get(column)
    return value if value is not None or column in DATE_COLUMNS else ""


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value) if value not in (None, "") else "—"


async def correct_step(
    host: PluginHost,
    actor: Actor,
    enrolment_id: int,
    step: str,
    raw: dict[str, Any],
    version: int,
) -> list[str]:
    """Correct ``step`` of an enrolment seen at ``version``; returns the changed columns.

    Raises :class:`FormErrors` (every field at once; a missing reason or dates out of order),
    :class:`ConflictError` when the enrolment changed since ``version``.
    """
    if step not in STEPS:
        raise FormErrors({"_correction": "étape inconnue"})
    async with transaction():
        row = await get_enrolment(enrolment_id, host.programme_keys)
        if step not in correctable_steps(row):
            raise FormErrors({"_correction": f"{STEPS[step][0]} n'a pas été enregistrée"})
        fields = correction_fields(host, row["programme"], step)
        errors: dict[str, str] = {}
        try:
            values = validate(fields, raw)
        except FormErrors as exc:
            errors.update(exc.errors)
            values = {}
        if not (raw.get("correction_reason") or "").strip():
            errors["correction_reason"] = REASON_MESSAGE
        if errors:
            raise FormErrors(errors)
        if row["version"] != version:
            raise ConflictError(row)
        check_dates(row, {k: v for k, v in values.items() if k in DATE_COLUMNS})
        after: dict[str, Any] = {}
        for column in STEPS[step][1]:
            value = values.get(column)
            if column in DATE_COLUMNS:
                value = dt.date.fromisoformat(value) if value else None
            after[column] = value if value is not None or column in DATE_COLUMNS else ""
        before = {c: _stored(row, c) for c in after}
        changed = [c for c in after if after[c] != before[c]]
        if not changed:
            raise FormErrors({"_correction": "aucune valeur n'a changé"})
        await versioned_update(
            Enrolment,
            enrolment_id,
            version,
            {getattr(Enrolment, c): after[c] for c in changed},
        )
        correction = StepCorrection(
            # step is one of STEPS (checked above); StepCorrection types it as a Literal
            step=step,  # type: ignore[arg-type]
            enrolment=to_view({**row, **after}),
            before={c: before[c] for c in changed},
            after={c: after[c] for c in changed},
            reason=values["correction_reason"],
            user_id=actor.user_id,
            workflow=host.workflows.get(row["programme"]),
        )
        # Through pluggy, not host.call: an effect that fails must abort the correction.
        notes: list[str] = []
        for returned in host.pm.hook.tremplin_step_corrected(correction=correction):
            for effect in returned if isinstance(returned, list | tuple) else [returned]:
                result = effect()
                if inspect.isawaitable(result):
                    result = await result
                if isinstance(result, str) and result.strip():
                    notes.append(result.strip())
        labels = {f.name: f.label for f in fields}
        summary = "; ".join(
            f"{labels[c]} : {_show(before[c])} → {_show(after[c])}" for c in changed
        )
        # What a plugin left as it was, and why (a lease already closed on the dwelling page).
        summary = "\n".join([summary, *notes])
        await add_timeline_event(
            actor,
            row["household"],
            NewEvent(
                kind="correction",
                title=f"Correction de {STEPS[step][0]}",
                body=f"{summary}\nMotif : {values['correction_reason']}",
                data={"step": step, "fields": changed},
            ),
            programme=row["programme"],
            enrolment_id=enrolment_id,
            audit_action=None,
        )
        await audit.record(
            "correct",
            "enrolment",
            enrolment_id,
            user_id=actor.user_id,
            fields=[f"{step}.{c}" for c in changed],
            address=actor.address,
        )
    return changed


async def move_step_event(correction: StepCorrection) -> None:
    """Re-date the timeline event of the corrected step (the transition that recorded the old
    date) to the corrected date; the correction's own event says what changed and why."""
    moved = [c for c in ("decision_date", "entry_date", "exit_date") if c in correction.after]
    if not moved:
        return
    events = (
        await TimelineEvent.select(TimelineEvent.id, TimelineEvent.data)
        .where(
            (TimelineEvent.household == correction.enrolment.household_id)
            & (TimelineEvent.kind == "state_change")
            & (TimelineEvent.programme == correction.enrolment.programme)
        )
        .output(load_json=True)
    )
    for column in moved:
        old, new = correction.before[column], correction.after[column]
        if old is None or new is None:
            continue
        for event in events:
            data = event["data"] or {}
            if (
                data.get("enrolment") == correction.enrolment.id
                and data.get("date_field") == column
                and data.get("date") == old.isoformat()
            ):
                await TimelineEvent.update(
                    {
                        TimelineEvent.occurred_at: business_datetime(new),
                        TimelineEvent.data: {**data, "date": new.isoformat()},
                    }
                ).where(TimelineEvent.id == event["id"])
