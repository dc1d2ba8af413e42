"""Alter Logement: temporary furnished T2/T3 in sub-let for victims of domestic violence.

The social support is given by SOS Violences Conjugales, a partner whose workers write
notes in the shared view. The dwelling's address and the household's whereabouts are
confidential (``confidential_contacts``: the core masks them for staff not assigned to the
programme and audits every view; this plugin adds a warning panel); facts about the violence are ``sensitive`` fields. Files leave the active
base one year after the end of support. It uses only :mod:`tremplin.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tremplin.api import (
    N_,
    HouseholdPanel,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    fetch_row,
    hookimpl,
)
from tremplin_alter_logement.workflow import (
    ENROLMENT_FIELDS,
    EXIT_DESTINATIONS,
    KEY,
    PRESCRIBERS,
    WORKFLOW,
)

__version__ = "0.1.0"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug=KEY,
        name=N_("Alter Logement"),
        version=__version__,
        api=">=1.1,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_alter_logement.report import alter_logement_tables

    programme = Programme(
        key=KEY,
        name_fr=N_("Alter Logement"),
        name_en="Alter Logement (housing for victims of domestic violence)",
        public="Personnes victimes de violences conjugales, accompagnées par SOS Violences "
        "Conjugales",
        prescribers=PRESCRIBERS,
        exit_destinations=EXIT_DESTINATIONS,
        # Contacts masked for staff not assigned to the programme, every view audited.
        partner_notes=True,
        # Shared only with the supporting partner for domestic violence.
        partner_kinds=("sos_vc",),
        confidential_contacts=True,
        retention_years=1,
        order=40,
    )
    section = ReportSection(
        "alter_logement",
        N_("Alter Logement"),
        KEY,
        alter_logement_tables,
        order=50,
    )
    return [ProgrammeSpec(programme, WORKFLOW, fields=ENROLMENT_FIELDS, report_sections=(section,))]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


async def _confidential(household_id: int, user: Any) -> dict[str, Any] | None:
    """Shown on every household enrolled in Alter Logement, whatever the enrolment's state:
    a former victim's whereabouts stay confidential after the exit."""
    # Hand-written (fetch_row): asked on every household page.
    enrolled = await fetch_row(
        'SELECT 1 AS "found" FROM "enrolment" WHERE "household" = {} AND "programme" = {} LIMIT 1',
        household_id,
        KEY,
    )
    return {"programme": "Alter Logement"} if enrolled else None


@hookimpl
def tremplin_household_panels() -> list[HouseholdPanel]:
    return [
        HouseholdPanel(
            "alter_logement_confidential",
            N_("Adresse confidentielle"),
            f"{KEY}/_confidential.html",
            _confidential,
            order=1,
        )
    ]
