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
    EnrolmentPanel,
    EnrolmentView,
    EventType,
    Field,
    NavItem,
    PluginManifest,
    Programme,
    ReportSection,
    Workflow,
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
        name="Résidence sociale",
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_programmes() -> list[Programme]:
    return [
        Programme(
            key=KEY,
            name_fr="Résidence sociale",
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
    ]


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_social_residence.piccolo_app"]


@hookimpl
def tremplin_enrolment_fields(programme: str) -> list[Field]:
    return list(ENROLMENT_FIELDS) if programme == KEY else []


@hookimpl
def tremplin_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def tremplin_timeline_event_types() -> list[EventType]:
    return [
        EventType(
            "stay_review", "Point sur le projet de sortie", programme=KEY, contact=True, order=38
        ),
        EventType(
            "stay_derogation",
            "Dérogation à la durée de séjour",
            programme=KEY,
            manual=False,
            order=923,
        ),
    ]


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
            "Résidence sociale",
            f"/{KEY}/units",
            order=51,
            roles=roles_holding("social"),
            group="programmes",
        )
    ]


async def _stay_panel(enrolment: EnrolmentView) -> dict[str, Any]:
    from tremplin_social_residence.routes import panel_context

    return await panel_context(enrolment)


@hookimpl
def tremplin_enrolment_panels() -> list[EnrolmentPanel]:
    return [
        EnrolmentPanel("social_residence_stay", KEY, f"{KEY}/_stay.html", _stay_panel, order=10)
    ]


@hookimpl
def tremplin_report_sections(programme: str) -> list[ReportSection]:
    from tremplin_social_residence.report import LABELS_EN, social_residence_tables

    if programme != KEY:
        return []
    return [
        ReportSection(
            "social_residence",
            "La résidence sociale",
            KEY,
            social_residence_tables,
            order=50,
            labels_en=LABELS_EN,
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
