"""Social residence (*résidence sociale*): furnished T1 units, stays of two years at most.

The dashboard warns from the 20th month of a stay; staying beyond 24 months needs a
recorded derogation with its reason. Rent calls, receipts and arrears are the housing
plugin's: a unit may name its housing dwelling. It uses only :mod:`tremplin.api` and
:mod:`tremplin_housing.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tremplin.api import (
    N_,
    EnrolmentPanel,
    EnrolmentView,
    EventType,
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    can,
    hookimpl,
    roles_holding,
)
from tremplin_social_residence.workflow import (
    ENROLMENT_FIELDS,
    EXIT_DESTINATIONS,
    KEY,
    MAX_MONTHS,
    PRESCRIBERS,
    STAY,
    WORKFLOW,
)

__version__ = "0.1.0"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug="social_residence",
        name=N_("Résidence sociale"),
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_social_residence.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_social_residence.routes import ROUTES

    return ROUTES


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_navigation(user: Any) -> list[NavItem]:
    if user is None or not can(user, "social"):
        return []
    return [
        NavItem(
            N_("Résidence sociale"),
            f"/{KEY}/units",
            order=51,
            roles=roles_holding("social"),
            group=N_("programmes"),
        )
    ]


async def _stay_panel(enrolment: EnrolmentView) -> dict[str, Any]:
    from tremplin_social_residence.routes import panel_context

    return await panel_context(enrolment)


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_social_residence.report import social_residence_tables

    programme = Programme(
        key=KEY,
        name_fr=N_("Résidence sociale"),
        name_en="Social residence",
        # The six furnished T1 of the Raspail residence (seed 003); the report counts
        # the units table.
        max_duration_months=MAX_MONTHS,
        agreement=STAY,
        public="Personnes au budget fragile ou à la situation administrative à éclaircir, "
        "pour un séjour de deux ans au plus avant un logement autonome",
        prescribers=PRESCRIBERS,
        exit_destinations=EXIT_DESTINATIONS,
        order=70,
    )
    return [
        ProgrammeSpec(
            programme,
            WORKFLOW,
            fields=ENROLMENT_FIELDS,
            event_types=(
                EventType(
                    "stay_review", N_("Point sur le projet de sortie"), contact=True, order=38
                ),
                EventType(
                    "stay_derogation",
                    N_("Dérogation à la durée de séjour"),
                    manual=False,
                    order=923,
                ),
            ),
            panels=(
                EnrolmentPanel(
                    "social_residence_stay", KEY, f"{KEY}/_stay.html", _stay_panel, order=10
                ),
            ),
            report_sections=(
                ReportSection(
                    "social_residence",
                    N_("La résidence sociale"),
                    KEY,
                    social_residence_tables,
                    order=50,
                ),
            ),
        )
    ]


@hookimpl
def tremplin_demo_data() -> list:
    from tremplin_social_residence.demo import demo_data

    return demo_data()


@hookimpl
def tremplin_object_scopes() -> list:
    """Every residence page belongs to the programme: 404 for the others' workers."""
    from tremplin.api import ObjectScope

    return [ObjectScope(f"/{KEY}", programmes=(KEY,))]
