"""The enrolment fields of each CLLAJ programme (stored in the enrolment's ``data``).

None is required when the file is opened: the workflow guards ask for them at the step
where they matter (landlord before the lease, Mission Locale follow-up before admission,
housing-demand number before the committee retains a young person). Two cross-field checks
run as soon as the orientation is recorded: a Mission Locale follow-up names its counsellor,
a named landlord says whether it is public or private.
"""

from __future__ import annotations

from tremplin.api import N_, Choice, EnrolmentCheck, Field
from tremplin_cllaj.rules import BAIL, DIAGNOSTIC_NEEDS, GLISSANT, JAPPART, LANDLORD_KINDS

BAIL_FIELDS = (
    Field(
        "landlord_kind",
        N_("Bailleur public ou privé"),
        kind="choice",
        choices=LANDLORD_KINDS,
        order=10,
    ),
    Field("landlord_name", N_("Bailleur (organisme ou propriétaire)"), max_length=120, order=11),
    Field("landlord_address", N_("Adresse du bailleur"), kind="textarea", order=12),
    Field("dwelling_address", N_("Adresse du logement loué"), kind="textarea", order=13),
    Field("rent", N_("Loyer charges comprises"), kind="money", order=14),
)

JAPPART_FIELDS = (
    Field(
        "ml_followup",
        N_("Suivi d'insertion professionnelle par la Mission Locale"),
        kind="bool",
        order=10,
        group="mission_locale",
    ),
    Field(
        "ml_counsellor",
        N_("Conseiller·ère Mission Locale"),
        max_length=120,
        order=11,
        group="mission_locale",
    ),
    Field(
        "support_adhesion",
        N_("Adhésion à l'accompagnement social lié au logement"),
        kind="bool",
        order=12,
    ),
    Field(
        "typology",
        N_("Typologie"),
        kind="choice",
        order=13,
        choices=(Choice("T1", N_("T1 meublé")), Choice("T2", N_("T2 meublé"))),
    ),
)

GLISSANT_FIELDS = (
    Field("liaison_form_date", N_("Fiche de liaison reçue le"), kind="date", order=10),
    Field("referring_service", N_("Service orienteur (référent)"), max_length=120, order=11),
    Field(
        "housing_demand_number",
        N_("Numéro unique départemental de demande de logement"),
        max_length=40,
        order=12,
    ),
    Field("professional_income", N_("Revenu professionnel, même précaire"), kind="bool", order=13),
    Field(
        "diagnostic_needs",
        N_("Besoins repérés au diagnostic"),
        kind="multichoice",
        choices=DIAGNOSTIC_NEEDS,
        order=14,
    ),
)

FIELDS = {BAIL: BAIL_FIELDS, JAPPART: JAPPART_FIELDS, GLISSANT: GLISSANT_FIELDS}


def jappart_checks(values: dict) -> dict[str, str]:
    if values.get("ml_followup") and not (values.get("ml_counsellor") or "").strip():
        return {"ml_counsellor": "indiquez le ou la conseiller·ère qui suit le jeune"}
    return {}


def bail_checks(values: dict) -> dict[str, str]:
    if (values.get("landlord_name") or "").strip() and not values.get("landlord_kind"):
        return {"landlord_kind": "précisez si le bailleur est public ou privé"}
    return {}


CHECKS = {
    JAPPART: [EnrolmentCheck("cllaj_jappart_ml", JAPPART, jappart_checks)],
    BAIL: [EnrolmentCheck("cllaj_bail_landlord", BAIL, bail_checks)],
}
