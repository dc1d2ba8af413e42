"""IML sub-lease (*intermédiation locative en sous-location*).

The association rents a dwelling and sub-lets it to a household under an occupancy
agreement of 3 months, renewable up to 18 months. This is the programme's minimal but
complete core: referral, admission decision (after SIAO validation), entry, renewals,
exit with destination. It uses only :mod:`tremplin.api`.
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    Choice,
    DashboardContext,
    DashboardItem,
    DashboardRow,
    Enrolment,
    EnrolmentPanel,
    EventType,
    Field,
    PluginManifest,
    Programme,
    ReportSection,
    Workflow,
    hookimpl,
)
from tremplin_plugins.iml_sublease.workflow import (
    EXIT_DESTINATIONS,
    KEY,
    MAX_MONTHS,
    PRESCRIBERS,
    WORKFLOW,
    agreement_end,
)

__version__ = "0.1.0"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    # Sub-let dwellings, occupancy agreements and rent come from the shared housing plugin.
    return PluginManifest(
        slug=KEY, name="IML sous-location", version=__version__, api=">=1.0,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_programmes() -> list[Programme]:
    return [
        Programme(
            key=KEY,
            name_fr="IML sous-location",
            name_en="Rental intermediation (sub-lease)",
            places=33,
            max_duration_months=MAX_MONTHS,
            public="Ménages sortant de structures d'hébergement, prioritaires DALO/PDALHPD, "
            "orientés par le SIAO",
            prescribers=PRESCRIBERS,
            exit_destinations=EXIT_DESTINATIONS,
            order=10,
        )
    ]


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_plugins.iml_sublease.piccolo_app"]


@hookimpl
def tremplin_enrolment_fields(programme: str) -> list[Field]:
    if programme != KEY:
        return []
    return [
        Field("siao_validation_date", "Date de validation SIAO", kind="date", order=10),
        Field("reinforced_support", "Accompagnement renforcé (sortie du dispositif asile)",
              kind="bool", order=20),
        Field("household_type_need", "Typologie recherchée", kind="choice", order=30,
              choices=(Choice("T1", "T1"), Choice("T2", "T2"), Choice("T3", "T3"),
                       Choice("T4", "T4 et plus"))),
    ]


@hookimpl
def tremplin_workflows() -> list[Workflow]:
    return [WORKFLOW]


@hookimpl
def tremplin_timeline_event_types() -> list[EventType]:
    return [
        EventType("house_mistress_visit", "Passage de la maîtresse de maison", programme=KEY,
                  contact=True, order=35),
        EventType("agreement_renewal", "Renouvellement de la convention", programme=KEY,
                  manual=False, order=920),
    ]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_plugins.iml_sublease.renewals import renewal_create

    return [renewal_create]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_enrolment_panels() -> list[EnrolmentPanel]:
    from tremplin_plugins.iml_sublease.renewals import panel_context

    return [EnrolmentPanel("agreement", KEY, f"{KEY}/_renewals.html", panel_context, order=10)]


async def _ending_soon(ctx: DashboardContext) -> list[DashboardRow]:
    """Agreements ending within 30 days, and enrolments at the 18-month maximum."""
    rows = await Enrolment.select(
        Enrolment.household, Enrolment.entry_date, Enrolment.data,
        Enrolment.household.name.as_alias("name"),
    ).where(
        (Enrolment.programme == KEY) & (Enrolment.state == "housed")
    ).output(load_json=True)
    out = []
    for r in rows:
        if r["entry_date"] is None:
            continue
        end = agreement_end(r["entry_date"], int((r["data"] or {}).get("renewals", 0)))
        days = (end - ctx.today).days
        if days <= 30:
            late = " (dépassée)" if days < 0 else ""
            out.append((end, DashboardRow(
                r["name"], f"/households/{r['household']}",
                f"convention jusqu'au {end.strftime('%d/%m/%Y')}{late}",
            )))
    return [row for _, row in sorted(out, key=lambda x: x[0])]


@hookimpl
def tremplin_report_sections(programme: str) -> list[ReportSection]:
    from tremplin_plugins.iml_sublease.report import reinforced_support

    if programme != KEY:
        return []
    return [ReportSection("reinforced", "Accompagnement renforcé des sortants du dispositif asile",
                          KEY, reinforced_support, order=50)]


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    return [
        DashboardItem("iml_sublease_ending", "IML : conventions à échéance sous 30 jours",
                      _ending_soon, order=20, programme=KEY)
    ]
