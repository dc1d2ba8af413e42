"""Youth IML with the Mission Locale (*IML jeunes*).

Young people aged 18 to 25, oriented by the Mission Locale after SIAO validation, sub-let a
dwelling under the same occupancy agreement as the sub-lease (3 months, renewable up to 18).
The association follows the housing, the Mission Locale counsellor the job project and the
CEJ (*Contrat d'Engagement Jeune*); the Mission Locale sees a restricted view and may write
notes. It uses only :mod:`tremplin.api` and the housing plugin's public API.
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    N_,
    Choice,
    DashboardItem,
    EnrolmentCheck,
    EnrolmentPanel,
    EventType,
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    ShareableGroup,
    can,
    hookimpl,
    roles_holding,
    vocabulary,
)
from tremplin_iml_youth.fields import CEJ_GROUP, ENROLMENT_FIELDS
from tremplin_iml_youth.rules import KEY, cej_errors
from tremplin_iml_youth.workflow import AGREEMENT, EXIT_DESTINATIONS, WORKFLOW

__version__ = "0.1.0"

#: The Mission Locale first: it orients every young person, after SIAO validation.
PRESCRIBERS = (
    Choice("mission_locale", N_("Mission Locale")),
    *(c for c in vocabulary.PRESCRIBERS if c.value != "mission_locale"),
)


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug=KEY,
        name=N_("IML jeunes (Mission Locale)"),
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_iml_youth.agreement import panel_context
    from tremplin_iml_youth.partner import PARTNER_ITEMS
    from tremplin_iml_youth.report import cej_table

    programme = Programme(
        key=KEY,
        name_fr=N_("IML jeunes"),
        name_en="Youth rental intermediation (Mission Locale)",
        max_duration_months=AGREEMENT.max_months,
        public="Jeunes de 18 à 25 ans orientés par la Mission Locale après validation du SIAO",
        prescribers=PRESCRIBERS,
        exit_destinations=EXIT_DESTINATIONS,
        partner_notes=True,
        # The Mission Locale is the only partner of the youth programme.
        partner_kinds=("mission_locale",),
        agreement=AGREEMENT,
        order=20,
    )
    return [
        ProgrammeSpec(
            programme,
            WORKFLOW,
            fields=ENROLMENT_FIELDS,
            # The CEJ is checked as soon as it is typed, not only at admission.
            checks=(EnrolmentCheck("cej", KEY, cej_errors),),
            event_types=(
                EventType(
                    "mission_locale_meeting",
                    N_("Réunion mensuelle avec la Mission Locale"),
                    programme=KEY,
                    order=65,
                ),
                EventType(
                    "tripartite_meeting",
                    N_("Rendez-vous tripartite (jeune, association, Mission Locale)"),
                    programme=KEY,
                    contact=True,
                    # Recorded from the enrolment panel, which asks who attended.
                    manual=False,
                    order=66,
                ),
                EventType(
                    "iml_youth_renewal",
                    N_("Renouvellement de la convention"),
                    programme=KEY,
                    manual=False,
                    order=921,
                ),
            ),
            panels=(
                EnrolmentPanel("iml_youth", KEY, f"{KEY}/_panel.html", panel_context, order=10),
            ),
            shareable_groups=(
                ShareableGroup(KEY, CEJ_GROUP, "CEJ et projet professionnel", order=50),
                ShareableGroup(
                    KEY, "rent_status", "Loyer à jour ou en impayé (jamais de montant)", order=60
                ),
            ),
            partner_items=tuple(PARTNER_ITEMS),
            report_sections=(
                ReportSection(
                    "cej",
                    N_("CEJ des jeunes accompagnés"),
                    KEY,
                    cej_table,
                    order=50,
                ),
            ),
        )
    ]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_iml_youth.agreement import cej_update
    from tremplin_iml_youth.coordination import coordination
    from tremplin_iml_youth.meetings import meeting_create

    return [cej_update, coordination, meeting_create]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    if user is None or not can(user, "social") or (user.programmes and KEY not in user.programmes):
        return []
    return [
        NavItem(
            N_("Coordination IML jeunes"),
            f"/{KEY}/coordination",
            order=60,
            roles=roles_holding("social"),
            group=N_("programmes"),
        )
    ]


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    from tremplin_iml_youth.dashboard import cej_suspensions

    return [
        DashboardItem(
            "iml_youth_cej_suspended",
            N_("IML jeunes : CEJ suspendus (risque d'impayé)"),
            cej_suspensions,
            order=15,
            programme=KEY,
        ),
    ]


@hookimpl
def tremplin_object_scopes() -> list:
    """The coordination page and the enrolment forms belong to the programme."""
    from tremplin.api import ObjectScope

    return [ObjectScope(f"/{KEY}", programmes=(KEY,))]
