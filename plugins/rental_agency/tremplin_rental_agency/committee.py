"""The allocation committee (*CEDL*): sessions, files presented, one decision per file with
its reason, and the score computed then with the grid in force."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Field,
    FormErrors,
    PartnerOrganisations,
    now,
    transaction,
    validate,
)
from tremplin_rental_agency.common import add_event, date_of, require, write_audit
from tremplin_rental_agency.grid import children_counts, compute_score, current_grid, detail_json
from tremplin_rental_agency.tables import Demand, Presentation, Session
from tremplin_rental_agency.vocab import DECISION_LABELS, DECISIONS

SESSION_FIELDS = (
    Field("held_on", N_("Date de la commission"), kind="date", required=True),
    Field("attendants", N_("Autres participants (organismes)"), max_length=300),
    Field("notes", N_("Observations générales"), kind="textarea"),
)

DECISION_FIELDS = (
    Field("decision", N_("Décision"), kind="choice", required=True, choices=DECISIONS),
    Field("reason", N_("Motif"), kind="textarea"),
)

#: A demand can be presented from these statuses (an adjourned file comes back).
PRESENTABLE = ("received", "admissible", "adjourned")


async def partner_choices() -> list[dict[str, Any]]:
    return await PartnerOrganisations.select(
        PartnerOrganisations.id, PartnerOrganisations.name
    ).order_by(PartnerOrganisations.name)


async def create_session(actor: Actor, raw: dict[str, Any], partner_ids: list[str]) -> int:
    values = validate(SESSION_FIELDS, raw)
    known = {p["id"] for p in await partner_choices()}
    try:
        ids = sorted({int(p) for p in partner_ids if str(p).strip()})
    except ValueError:
        raise FormErrors({"partners": "partenaire inconnu"}) from None
    if any(i not in known for i in ids):
        raise FormErrors({"partners": "partenaire inconnu"})
    async with transaction():
        row = await Session.insert(
            Session(
                held_on=date_of(values["held_on"]),
                partner_ids=",".join(str(i) for i in ids),
                attendants=values["attendants"] or "",
                notes=values["notes"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Session.id)
        await write_audit(actor, "create", "rental_agency_session", row[0]["id"], values.keys())
    return row[0]["id"]


async def get_session(session_id: int) -> dict[str, Any]:
    return require(await Session.select().where(Session.id == session_id).first(), session_id)


async def sessions_of_partner(partner_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The latest sessions a partner organisation attended, with their number of files."""
    token = str(int(partner_id))
    rows = (
        await Session.select(Session.id, Session.held_on)
        .where(
            (Session.partner_ids == token)
            | Session.partner_ids.like(f"{token},%")
            | Session.partner_ids.like(f"%,{token}")
            | Session.partner_ids.like(f"%,{token},%")
        )
        .order_by(Session.held_on, ascending=False)
        .limit(limit)
    )
    counts = Counter(
        r["session"]
        for r in await Presentation.select(Presentation.session).where(
            Presentation.session.is_in([r["id"] for r in rows] or [0])
        )
    )
    return [r | {"files": counts[r["id"]]} for r in rows]


def partner_ids_of(session: dict[str, Any]) -> list[int]:
    return [int(p) for p in (session["partner_ids"] or "").split(",") if p]


async def present(actor: Actor, session_id: int, demand_id: int) -> int:
    """Put a demand on a session's agenda (status *presented*)."""
    async with transaction():
        session = await get_session(session_id)
        demand = require(
            await Demand.select(Demand.id, Demand.status, Demand.household)
            .where(Demand.id == demand_id)
            .first(),
            demand_id,
        )
        already = await Presentation.exists().where(
            (Presentation.session == session_id) & (Presentation.demand == demand_id)
        )
        if already:
            raise FormErrors({"demand": "Ce dossier est déjà inscrit à cette commission."})
        if demand["status"] not in PRESENTABLE:
            raise FormErrors(
                {"demand": "Seule une demande reçue, recevable ou ajournée peut être présentée."}
            )
        row = await Presentation.insert(
            Presentation(session=session_id, demand=demand_id, created_at=now())
        ).returning(Presentation.id)
        await Demand.update(
            {
                Demand.status: "presented",
                Demand.status_on: session["held_on"],
                Demand.version: Demand.version + 1,
                Demand.updated_at: now(),
            }
        ).where(Demand.id == demand_id)
        await write_audit(actor, "create", "rental_agency_presentation", row[0]["id"])
    return row[0]["id"]


async def decide(
    actor: Actor, session_id: int, demand_id: int, raw: dict[str, Any], ticked: list[str]
) -> int:
    """Record the committee's decision on a file presented in this session.

    Refused: a file not presented in the session, a second decision on the same file in the
    same session, an adjournment or refusal without a reason, a ticked criterion that is not
    a manual one of the grid in force. The score is computed here, never typed.
    """
    values = validate(DECISION_FIELDS, raw)
    decision, reason = values["decision"], (values["reason"] or "").strip()
    if decision in ("adjourned", "refused") and not reason:
        raise FormErrors({"reason": "Le motif est obligatoire pour un ajournement ou un refus."})
    async with transaction():
        session = await get_session(session_id)
        presentation = (
            await Presentation.select()
            .where((Presentation.session == session_id) & (Presentation.demand == demand_id))
            .first()
        )
        if presentation is None:
            raise FormErrors({"demand": "Ce dossier n'est pas présenté à cette commission."})
        if presentation["decision"]:
            raise FormErrors(
                {"decision": "Une décision a déjà été prise sur ce dossier à cette commission."}
            )
        demand = require(await Demand.select().where(Demand.id == demand_id).first(), demand_id)
        grid = await current_grid(actor)
        manual = {c["id"] for c in grid.criteria if c["rule"] == "manual"}
        try:
            ticked_ids = {int(t) for t in ticked if str(t).strip()}
        except ValueError:
            raise FormErrors({"ticked": "critère inconnu"}) from None
        if ticked_ids - manual:
            raise FormErrors(
                {"ticked": "Seuls les critères appréciés par la commission se cochent."}
            )
        day: dt.date = session["held_on"]
        children = (await children_counts([demand["household"]], day)).get(demand["household"], 0)
        score, detail = compute_score(grid, demand, children, day, ticked_ids)
        # Conditional on no decision yet: of two concurrent decisions, one only is written.
        written = (
            await Presentation.update(
                {
                    Presentation.decision: decision,
                    Presentation.reason: reason,
                    Presentation.decided_on: day,
                    Presentation.grid: grid.id,
                    Presentation.score: score,
                    Presentation.score_detail: detail_json(detail),
                    Presentation.ticked: ",".join(str(t) for t in sorted(ticked_ids)),
                    Presentation.decided_by: actor.user_id,
                }
            )
            .where((Presentation.id == presentation["id"]) & (Presentation.decision == ""))
            .returning(Presentation.id)
        )
        if not written:
            raise FormErrors(
                {"decision": "Une décision a déjà été prise sur ce dossier à cette commission."}
            )
        await Demand.update(
            {
                Demand.status: decision,
                Demand.status_on: day,
                Demand.version: Demand.version + 1,
                Demand.updated_at: now(),
            }
        ).where(Demand.id == demand_id)
        await add_event(
            actor,
            demand["household"],
            "rental_agency_cedl",
            f"CEDL du {day:%d/%m/%Y} : demande {DECISION_LABELS[decision].lower()}",
            day,
            data={"score": score},
        )
        await write_audit(
            actor, "decide", "rental_agency_presentation", presentation["id"], ("decision",)
        )
    return score


async def session_files(session_id: int) -> list[dict[str, Any]]:
    """The files of a session with their household and decision, in one query."""
    return (
        await Presentation.select(
            *Presentation.all_columns(),
            Presentation.demand.household.as_alias("household"),
            Presentation.demand.household.name.as_alias("household_name"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
            Presentation.demand.household.reference.as_alias("household_reference"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
            Presentation.demand.household.composition.as_alias("composition"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
            Presentation.demand.wanted_typology.as_alias("wanted_typology"),
            Presentation.demand.wanted_sector.as_alias("wanted_sector"),
            Presentation.demand.situation.as_alias("situation"),
            Presentation.demand.status.as_alias("status"),
        )
        .where(Presentation.session == session_id)
        .order_by(Presentation.id)
    )


async def sessions() -> list[dict[str, Any]]:
    return await Session.select().order_by(Session.held_on, ascending=False).limit(200)
