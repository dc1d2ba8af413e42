"""The association's housing settings: today the arrears threshold (the seeds: 30 €).

One row in ``housing_settings``; while there is none, the defaults apply. The
administrator and the head of service change it on ``/housing/settings``; every reader
(:func:`arrears_threshold`) goes through here: the household panel, the public
``in_arrears``, the monthly review, the dashboard and the report.
"""

from __future__ import annotations

from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Field,
    FormErrors,
    now,
    transaction,
    validate,
    versioned_update,
)
from tremplin_housing.calc import ARREARS_THRESHOLD_CENTS
from tremplin_housing.common import expected_version, write_audit
from tremplin_housing.tables import HousingSettings

#: Who may change the housing settings.
SETTINGS_ROLES = ("admin", "head_of_service")
MAX_THRESHOLD_CENTS = 100_000  # 1 000 €: above, the committee would see no one

SETTINGS_FIELDS = (
    Field(
        "arrears_threshold",
        N_("Seuil d'impayé"),
        kind="money",
        required=True,
        minimum=0,
        maximum=MAX_THRESHOLD_CENTS,
        help=N_("Un ménage est en impayé quand sa dette dépasse ce montant (30 € par défaut)."),
    ),
)


async def settings_version() -> int:
    """The version of the housing settings (1 while none were saved)."""
    row = await HousingSettings.select(HousingSettings.version).order_by(HousingSettings.id).first()
    return int(row["version"]) if row else 1


async def arrears_threshold() -> int:
    """The arrears threshold in cents (default :data:`ARREARS_THRESHOLD_CENTS`)."""
    row = (
        await HousingSettings.select(HousingSettings.arrears_threshold_cents)
        .order_by(HousingSettings.id)
        .first()
    )
    return int(row["arrears_threshold_cents"]) if row else ARREARS_THRESHOLD_CENTS


async def save_settings(actor: Actor, raw: dict[str, Any]) -> None:
    values = validate(SETTINGS_FIELDS, raw)
    threshold = values["arrears_threshold"]
    if threshold is None:
        raise FormErrors({"arrears_threshold": "ce champ est obligatoire"})
    async with transaction():
        row = (
            await HousingSettings.select(HousingSettings.id, HousingSettings.version)
            .order_by(HousingSettings.id)
            .first()
        )
        if row is None:
            await HousingSettings.insert(
                HousingSettings(
                    arrears_threshold_cents=threshold, updated_by=actor.user_id, updated_at=now()
                )
            )
            settings_id = 0
        else:
            settings_id = row["id"]
            await versioned_update(
                HousingSettings,
                settings_id,
                expected_version(raw, row),
                {
                    HousingSettings.arrears_threshold_cents: threshold,
                    HousingSettings.updated_by: actor.user_id,
                },
            )
        await write_audit(
            actor, "housing_settings", "housing_settings", settings_id, ["arrears_threshold"]
        )
