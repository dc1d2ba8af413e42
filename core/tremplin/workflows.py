"""Building blocks of programme workflows: the guards and transitions every programme repeats.

A programme plugin gets them through ``tremplin.api``. Each builder returns a plain
:class:`~tremplin.types.Transition` (or guard), so a plugin may still declare anything it
needs by hand; the parameters cover what programmes word differently (labels, source states,
order, extra fields and guards), the field names and French messages stay the same
everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tremplin.i18n import N_
from tremplin.models import Membership
from tremplin.types import Choice, Effect, Field, Guard, GuardContext, State, Transition

#: The message of the refusal guard: a refusal always states its reason.
REFUSAL_REASON_MESSAGE = "Indiquez le motif du refus."
#: The message of :data:`require_siao_validation`.
SIAO_VALIDATION_MESSAGE = (
    "L'orientation doit être validée par le SIAO avant la décision d'admission."
)


def require_text(field: str, message: str) -> Guard:
    """A guard refusing the transition with ``message`` when the submitted ``field`` is
    empty or only blanks (for a field the form shows as optional but this move needs)."""

    def guard(ctx: GuardContext) -> str | None:
        return None if (ctx.values.get(field) or "").strip() else message

    guard.__name__ = f"require_text_{field}"
    return guard


def require_recorded(key: str, message: str) -> Guard:
    """A guard refusing the transition with ``message`` until the enrolment's ``data`` holds
    a value for ``key`` (a date or a fact recorded earlier on the orientation's form)."""

    def guard(ctx: GuardContext) -> str | None:
        return None if ctx.enrolment.data.get(key) else message

    guard.__name__ = f"require_recorded_{key}"
    return guard


#: Guard: the SIAO validation date (``siao_validation_date``) is recorded before admission.
require_siao_validation = require_recorded("siao_validation_date", SIAO_VALIDATION_MESSAGE)
require_siao_validation.__name__ = "require_siao_validation"


def decision_date_field(label: str = "Date de la décision") -> Field:
    """The required ``decision_date`` of a decision (admission, postponement, refusal)."""
    return Field("decision_date", label, kind="date", required=True)


def _reason_field() -> Field:
    return Field("decision_reason", N_("Motif"), kind="textarea")


def refusal(
    *,
    label: str = "Refuser",
    sources: Sequence[str] = ("referral",),
    fields: Sequence[Field] = (),
    guards: Sequence[Guard] = (),
    order: int = 30,
) -> Transition:
    """``refuse`` → ``refused``: the decision date and its reason (``decision_reason``,
    required by the guard "Indiquez le motif du refus."). ``fields`` and ``guards`` come
    before the usual ones (a commission date and its check, say). A danger button."""
    return Transition(
        "refuse",
        label,
        tuple(sources),
        "refused",
        fields=(*fields, decision_date_field(), _reason_field()),
        guards=(*guards, require_text("decision_reason", REFUSAL_REASON_MESSAGE)),
        order=order,
        danger=True,
    )


def postponement(
    *,
    label: str = "Ajourner",
    sources: Sequence[str] = ("referral",),
    target: str = "referral",
    fields: Sequence[Field] = (),
    guards: Sequence[Guard] = (),
    order: int = 20,
) -> Transition:
    """``postpone``: the decision is put off and the enrolment stays where it is
    (``target``), with the decision date and an optional reason. ``fields`` and ``guards``
    come first."""
    return Transition(
        "postpone",
        label,
        tuple(sources),
        target,
        fields=(*fields, decision_date_field(), _reason_field()),
        guards=tuple(guards),
        order=order,
    )


def withdrawal(
    sources: Sequence[str],
    *,
    label: str = "Abandon de la candidature",
    order: int = 90,
) -> Transition:
    """``withdraw`` → ``withdrawn`` from ``sources``: the date (``exit_date``) and a required
    reason (``exit_reason``, 100 characters). A danger button."""
    return Transition(
        "withdraw",
        label,
        tuple(sources),
        "withdrawn",
        fields=(
            Field("exit_date", N_("Date"), kind="date", required=True),
            Field("exit_reason", N_("Motif"), required=True, max_length=100),
        ),
        order=order,
        danger=True,
    )


def exit_with_destination(
    destinations: Sequence[Choice],
    *,
    key: str = "exit",
    label: str = "Sortie du dispositif",
    sources: Sequence[str] = ("housed",),
    target: str = "exited",
    date_label: str = "Date de sortie",
    destination_label: str = "Destination",
    reason_label: str | None = "Motif / commentaire",
    fields: Sequence[Field] = (),
    guards: Sequence[Guard] = (),
    order: int = 50,
    danger: bool = True,
    effects: Sequence[Effect] = (),
) -> Transition:
    """An exit: its date (``exit_date``), the destination chosen from the programme's
    ``destinations`` (``exit_destination``, required) and a comment (``exit_reason``, 100
    characters; left out when ``reason_label`` is ``None``), then ``fields``; ``effects``
    run in the exit's transaction (housing's ``leave_dwelling()`` closes the occupancy)."""
    reason = () if reason_label is None else (Field("exit_reason", reason_label, max_length=100),)
    return Transition(
        key,
        label,
        tuple(sources),
        target,
        fields=(
            Field("exit_date", date_label, kind="date", required=True),
            Field(
                "exit_destination",
                destination_label,
                kind="choice",
                required=True,
                choices=tuple(destinations),
            ),
            *reason,
            *fields,
        ),
        guards=tuple(guards),
        effects=tuple(effects),
        order=order,
        danger=danger,
    )


def closed_states(
    *,
    exited: str = N_("Sorti"),
    refused: str = N_("Candidature refusée"),
    withdrawn: str = N_("Candidature abandonnée"),
) -> tuple[State, State, State]:
    """The three closed states every programme ends in: ``exited``, ``refused`` and
    ``withdrawn``, with the programme's French labels."""
    return (
        State("exited", exited, phase="closed"),
        State("refused", refused, phase="closed"),
        State("withdrawn", withdrawn, phase="closed"),
    )


async def reference_birth_date(household_id: int) -> dt.date | None:
    """Birth date of the household's current reference person (``None`` if unknown), for
    the age conditions of an admission."""
    row = (
        await Membership.select(Membership.person.birth_date.as_alias("birth_date"))
        .where(
            (Membership.household == household_id)
            & (Membership.relation == "reference")
            & Membership.end_date.is_null()
        )
        .order_by(Membership.start_date, ascending=False)
        .first()
    )
    return row["birth_date"] if row else None


async def add_enrolment_event(
    enrolment_id: int,
    household_id: int,
    *,
    programme: str,
    kind: str,
    title: str,
    body: str,
    author: int | None,
) -> None:
    """Deprecated (API 1.3): use :func:`tremplin.api.add_timeline_event`. Adds to the
    household's timeline an event of ``kind`` about one enrolment, dated today, its ``data``
    naming the enrolment; the caller audits the change."""
    from tremplin.errors import Actor
    from tremplin.services.commands import NewEvent, add_timeline_event

    await add_timeline_event(
        Actor(author),
        household_id,
        NewEvent(kind=kind, title=title, body=body),
        programme=programme,
        enrolment_id=enrolment_id,
        audit_action=None,
    )
