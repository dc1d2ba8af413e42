"""IML sub-lease (*intermédiation locative en sous-location*).

The association rents a dwelling and sub-lets it to a household under an occupancy
agreement of 3 months, renewable up to 18 months. This is the programme's minimal but
complete core: referral, admission decision (after SIAO validation), entry, renewals,
exit with destination. It uses only :mod:`tremplin.api`.
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    N_,
    Choice,
    DashboardContext,
    DashboardItem,
    DashboardRow,
    EnrolmentPanel,
    EventType,
    Field,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    ShareableGroup,
    hookimpl,
)
from tremplin_iml_sublease.workflow import (
    AGREEMENT,
    EXIT_DESTINATIONS,
    KEY,
    PRESCRIBERS,
    WORKFLOW,
)

__version__ = "0.1.0"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    # Sub-let dwellings, occupancy agreements and rent come from the shared housing plugin.
    return PluginManifest(
        slug=KEY,
        name=N_("IML sous-location"),
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


PROGRAMME = Programme(
    key=KEY,
    name_fr=N_("IML sous-location"),
    name_en="Rental intermediation (sub-lease)",
    max_duration_months=AGREEMENT.max_months,
    public="Ménages sortant de structures d'hébergement, prioritaires DALO/PDALHPD, "
    "orientés par le SIAO",
    prescribers=PRESCRIBERS,
    exit_destinations=EXIT_DESTINATIONS,
    agreement=AGREEMENT,
    order=10,
)

FIELDS = (
    Field("siao_validation_date", N_("Date de validation SIAO"), kind="date", order=10),
    Field(
        "reinforced_support",
        N_("Accompagnement renforcé (sortie du dispositif asile)"),
        kind="bool",
        order=20,
    ),
    Field(
        "household_type_need",
        N_("Typologie recherchée"),
        kind="choice",
        order=30,
        choices=(
            Choice("T1", N_("T1")),
            Choice("T2", N_("T2")),
            Choice("T3", N_("T3")),
            Choice("T4", N_("T4 et plus")),
        ),
    ),
)

EVENT_TYPES = (
    EventType(
        "house_mistress_visit",
        N_("Passage de la maîtresse de maison"),
        programme=KEY,
        contact=True,
        order=35,
        roles=("technician",),
    ),
    EventType(
        "sublease_review", N_("Bilan de la sous-location"), programme=KEY, manual=False, order=921
    ),
    EventType(
        "agreement_renewal",
        N_("Renouvellement de la convention"),
        programme=KEY,
        manual=False,
        order=920,
    ),
)


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_iml_sublease.checklists import (
        entry_panel_context,
        exit_panel_context,
        reinforced_panel_context,
    )
    from tremplin_iml_sublease.partner import PARTNER_ITEMS
    from tremplin_iml_sublease.renewals import panel_context
    from tremplin_iml_sublease.report import reinforced_support
    from tremplin_iml_sublease.reviews import panel_context as reviews_context

    panels = (
        EnrolmentPanel(
            "entry_checklist", KEY, f"{KEY}/_checklist.html", entry_panel_context, order=5
        ),
        EnrolmentPanel("agreement", KEY, f"{KEY}/_renewals.html", panel_context, order=10),
        EnrolmentPanel("reviews", KEY, f"{KEY}/_reviews.html", reviews_context, order=20),
        EnrolmentPanel(
            "reinforced_checklist",
            KEY,
            f"{KEY}/_checklist.html",
            reinforced_panel_context,
            order=40,
        ),
        EnrolmentPanel("exit_inventory", KEY, f"{KEY}/_exit.html", exit_panel_context, order=50),
    )
    return [
        ProgrammeSpec(
            PROGRAMME,
            WORKFLOW,
            fields=FIELDS,
            event_types=EVENT_TYPES,
            panels=panels,
            shareable_groups=(
                ShareableGroup(
                    KEY, "rent_status", "Loyer à jour ou en impayé (jamais de montant)", order=60
                ),
            ),
            partner_items=tuple(PARTNER_ITEMS),
            report_sections=(
                ReportSection(
                    "reinforced",
                    N_("Accompagnement renforcé des sortants du dispositif asile"),
                    KEY,
                    reinforced_support,
                    order=50,
                ),
            ),
        )
    ]


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_iml_sublease.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_iml_sublease.checklists import checklist_update
    from tremplin_iml_sublease.convention import convention_pdf
    from tremplin_iml_sublease.reviews import review_create, review_pdf

    return [checklist_update, convention_pdf, review_create, review_pdf]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    return [
        DashboardItem(
            "iml_sublease_house_mistress",
            N_("IML : pas de passage de la maîtresse de maison depuis plus d'un mois"),
            _visits_overdue,
            order=22,
            programme=KEY,
        ),
    ]


async def _visits_overdue(ctx: DashboardContext) -> list[DashboardRow]:
    from tremplin_iml_sublease.followup import visits_overdue

    return await visits_overdue(ctx)


@hookimpl
def tremplin_object_scopes() -> list:
    """The agreement, reviews and checklists belong to the programme."""
    from tremplin.api import ObjectScope

    return [ObjectScope(f"/{KEY}", programmes=(KEY,))]
