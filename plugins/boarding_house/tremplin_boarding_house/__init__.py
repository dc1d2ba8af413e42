"""Boarding houses (*pensions de famille* / *maisons relais*).

Several houses, each with private units (T1, T2) and collective spaces, run by hosts
(*hôtes de maison*); residents admitted after SIAO orientation and the admission commission,
with no limit on the length of stay; collective life (activities, events, house meetings)
and per-resident notes. Rent calls, receipts and arrears are the housing plugin's: a unit may
name its housing dwelling. It uses only :mod:`tremplin.api` and
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
    TimelineEvents,
    can,
    hookimpl,
    roles_holding,
)
from tremplin_boarding_house.workflow import (
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
        slug="boarding_house",
        name=N_("Pensions de famille"),
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_boarding_house.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_boarding_house.routes import ROUTES

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
            N_("Pensions de famille"),
            f"/{KEY}/houses",
            order=50,
            roles=roles_holding("social"),
            group=N_("programmes"),
        )
    ]


async def _unit_panel(enrolment: EnrolmentView) -> dict[str, Any]:
    from tremplin_boarding_house.houses import unit_of_enrolment

    events = (
        await TimelineEvents.select(TimelineEvents.occurred_at)
        .where(
            (TimelineEvents.household == enrolment.household_id)
            & (TimelineEvents.kind == "collective_activity")
        )
        .order_by(TimelineEvents.occurred_at, ascending=False)
    )
    return {
        "state": enrolment.state,
        "unit": await unit_of_enrolment(enrolment.data) if enrolment.state == "housed" else None,
        "activities": len(events),
        "last_activity": events[0]["occurred_at"].date() if events else None,
    }


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_boarding_house.report import boarding_house_tables

    programme = Programme(
        key=KEY,
        name_fr=N_("Pensions de famille"),
        name_en="Boarding houses",
        # Units of the three ASL houses (seed 003); the report counts the units table.
        max_duration_months=None,
        public="Personnes isolées en situation d'exclusion, orientées par le SIAO, pour "
        "qui un logement autonome n'est pas adapté dans l'immédiat",
        prescribers=PRESCRIBERS,
        exit_destinations=EXIT_DESTINATIONS,
        order=60,
    )
    event_types = (
        EventType(
            "host_note",
            N_("Note de l'hôte de maison"),
            programme=KEY,
            order=36,
            roles=("technician",),
        ),
        EventType(
            "host_interview",
            N_("Entretien avec l'hôte de maison"),
            programme=KEY,
            contact=True,
            order=37,
        ),
        EventType(
            "collective_activity",
            N_("Participation à la vie collective"),
            programme=KEY,
            manual=False,
            order=922,
        ),
    )
    return [
        ProgrammeSpec(
            programme,
            WORKFLOW,
            fields=ENROLMENT_FIELDS,
            event_types=event_types,
            panels=(
                EnrolmentPanel(
                    "boarding_house_unit", KEY, f"{KEY}/_unit_panel.html", _unit_panel, order=10
                ),
            ),
            report_sections=(
                ReportSection(
                    "boarding_house",
                    N_("Pensions de famille"),
                    KEY,
                    boarding_house_tables,
                    order=50,
                ),
            ),
        )
    ]


@hookimpl
def tremplin_demo_data() -> list:
    from tremplin_boarding_house.demo import demo_data

    return demo_data()


@hookimpl
def tremplin_object_scopes() -> list:
    """Every boarding-house page belongs to the programme: 404 for the others' workers."""
    from tremplin.api import ObjectScope

    return [ObjectScope(f"/{KEY}", programmes=(KEY,))]
