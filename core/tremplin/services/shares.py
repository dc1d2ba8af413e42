"""Sharing a household with a partner organisation, with the household's written consent.

A share names the programme and the groups of information the partner may see. It is
active from its creation until it is ended or its consent expires; the check is made on
every request, so ending a share or an expired consent removes access at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.db import raw, transaction
from tremplin.errors import Actor, NotFound
from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import Enrolment, PartnerOrganisation, Share
from tremplin.plugins import PluginHost
from tremplin.policy import HouseholdAccess, household_access
from tremplin.services import audit
from tremplin.services.clock import now, today
from tremplin.types import Choice, Field, ShareableGroup

__all__ = ["active_shares", "create_share", "end_share", "shareable_groups", "visible_groups"]

#: French names of the partner kinds, as offered when an administrator adds a partner.
PARTNER_KIND_LABELS = {
    "mission_locale": N_("Mission Locale"),
    "sos_vc": N_("SOS Violences Conjugales"),
    "siao": N_("SIAO"),
    "other": N_("Autre"),
}


def shareable_groups(host: PluginHost, programme: str) -> list[ShareableGroup]:
    return host.shareable_groups(programme) if programme in host.specs else []


def share_fields(host: PluginHost, programmes: list[str]) -> tuple[Field, ...]:
    return (
        Field("partner", N_("Partenaire"), kind="int", required=True),
        Field(
            "programme",
            N_("Programme"),
            kind="choice",
            required=True,
            choices=tuple(Choice(k, host.programmes[k].name_fr) for k in programmes),
        ),
        Field(
            "groups",
            N_("Informations partagées"),
            kind="multichoice",
            required=True,
            choices=tuple(
                Choice(g.key, g.label) for k in programmes[:1] for g in shareable_groups(host, k)
            )
            or (Choice("identity", N_("Identité")),),
        ),
        Field(
            "consent_date", N_("Consentement écrit du ménage, daté du"), kind="date", required=True
        ),
        Field("consent_expires", N_("Consentement valable jusqu'au"), kind="date", required=True),
    )


async def create_share(
    host: PluginHost,
    actor: Actor,
    household_id: int,
    raw: dict[str, Any],
    programmes: list[str],
    access: HouseholdAccess | None = None,
) -> int:
    """Share a household; refuses without a dated consent, for a programme the household
    is not enrolled in, with groups the programme does not declare shareable, or with
    groups the access policy does not let this user share with this kind of partner
    (confidential contact details: :meth:`HouseholdAccess.may_share`). Without ``access``
    (a script), the partner-kind rule of the household's confidential programmes still
    applies."""
    programme = str(raw.get("programme", ""))
    groups = (
        {g.key: g for g in shareable_groups(host, programme)} if programme in programmes else {}
    )
    fields = list(share_fields(host, programmes))
    fields[2] = Field(
        "groups",
        N_("Informations partagées"),
        kind="multichoice",
        required=True,
        choices=tuple(Choice(k, g.label) for k, g in groups.items()),
    )
    values = validate(fields, raw)
    consent = dt.date.fromisoformat(values["consent_date"])
    expires = dt.date.fromisoformat(values["consent_expires"])
    errors = {}
    if consent > today():
        errors["consent_date"] = N_("la date du consentement est dans le futur")
    if expires <= today():
        errors["consent_expires"] = N_("la date d'expiration doit être dans le futur")
    if errors:
        raise FormErrors(errors)
    async with transaction():
        partner = (
            await PartnerOrganisation.select(PartnerOrganisation.kind)
            .where(PartnerOrganisation.id == values["partner"])
            .first()
        )
        if partner is None:
            raise FormErrors({"partner": "partenaire inconnu"})
        allowed = host.programmes[programme].partner_kinds
        if allowed and partner["kind"] not in allowed:
            kinds = ", ".join(PARTNER_KIND_LABELS.get(k, k) for k in allowed)
            raise FormErrors({"partner": f"ce programme ne se partage qu'avec : {kinds}"})
        policy = access or await household_access(host, None, household_id, system=True)
        refused = [
            reason
            for g in values["groups"]
            if (reason := policy.may_share(host, programme, g, partner["kind"]))
        ]
        if refused:
            raise FormErrors({"groups": refused[0]})
        if not await Enrolment.exists().where(
            (Enrolment.household == household_id) & (Enrolment.programme == programme)
        ):
            raise FormErrors({"programme": "le ménage n'est pas accompagné dans ce programme"})
        row = await Share.insert(
            Share(
                household=household_id,
                partner=values["partner"],
                programme=programme,
                groups=values["groups"],
                consent_date=consent,
                consent_expires=expires,
                shared_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Share.id)
        await audit.record(
            "share",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=values["groups"],
            address=actor.address,
        )
    return row[0]["id"]


async def end_share(actor: Actor, share_id: int, household_id: int) -> None:
    async with transaction():
        row = (
            await Share.select(Share.id)
            .where(
                (Share.id == share_id)
                & (Share.household == household_id)
                & Share.ended_at.is_null()
            )
            .first()
        )
        if row is None:
            raise NotFound(share_id)
        await Share.update({Share.ended_at: now(), Share.ended_by: actor.user_id}).where(
            Share.id == share_id
        )
        await audit.record(
            "unshare", "household", household_id, user_id=actor.user_id, address=actor.address
        )


def _active():
    return Share.ended_at.is_null() & (
        Share.consent_expires.is_null() | (Share.consent_expires >= today())
    )


async def active_shares(
    partner_id: int, programmes: list[str], household_id: int | None = None
) -> list[dict[str, Any]]:
    """Active shares of a partner organisation (in enabled programmes), newest first."""
    query = Share.select(
        Share.id,
        Share.household,
        Share.programme,
        Share.groups,
        Share.consent_expires,
        Share.household.name.as_alias("name"),
        Share.household.reference.as_alias("reference"),
    ).where(
        (Share.partner == partner_id)
        & _active()
        & Share.programme.is_in(programmes or [""])
        & Share.household.archived_at.is_null()
    )
    if household_id is not None:
        query = query.where(Share.household == household_id)
    return await query.order_by(Share.id, ascending=False).output(load_json=True)


def visible_groups(shares: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Programme → groups the partner may see, merged over its active shares."""
    out: dict[str, set[str]] = {}
    for share in shares:
        out.setdefault(share["programme"], set()).update(share["groups"] or [])
    return out


async def household_shares(household_id: int) -> list[dict[str, Any]]:
    # Hand-written (tremplin.db.raw): read on every household page of a user who shares.
    return await raw.fetch(
        f'SELECT {raw.columns(Share)}, p."name" AS "partner_name" FROM "share" '
        'LEFT JOIN "partner_organisation" AS p ON p."id" = "share"."partner" '
        'WHERE "share"."household" = {} ORDER BY "share"."id" DESC',
        household_id,
        json=[c._meta.name for c in Share._meta.json_columns],
    )
