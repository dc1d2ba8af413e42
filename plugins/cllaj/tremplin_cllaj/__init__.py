"""CLLAJ (*Comité local pour le logement autonome des jeunes*): the youth housing desk,
the supported lease, J'APPART and the young workers' sliding-lease path.

- The **desk** (*permanence AIO*) is not an enrolment programme: quick anonymous intakes of
  young people at sessions held at the Mission Locale, their follow-up, and collective
  workshops, in the plugin's own tables (pages under ``/cllaj/desk``).
- ``cllaj_bail``: supported lease for under-30s, tripartite agreement (PDF), the association
  present for 6 months after entry.
- ``cllaj_jappart``: J'APPART, furnished temporary sub-let for 18–25, 12 months at most,
  2 to 3 meetings a month, Mission Locale follow-up required.
- ``cllaj_glissant``: sliding-lease path for young workers (CCAS de Lomme model), steering
  committee every two months, lease sliding after a year.

It uses only :mod:`tremplin.api` (and declares ``housing``, whose dwellings J'APPART sub-lets).
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    N_,
    DashboardItem,
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
)
from tremplin_cllaj.rules import (
    BAIL,
    BAIL_OUTCOMES,
    EXIT_DESTINATIONS,
    GLISSANT,
    JAPPART,
    JAPPART_MAX_MONTHS,
    PRESCRIBERS,
)
from tremplin_cllaj.workflow_jappart import AGREEMENT as JAPPART_AGREEMENT

__version__ = "0.1.0"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug="cllaj",
        name=N_("CLLAJ"),
        version=__version__,
        api=">=1.4,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_cllaj.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_cllaj.bail import convention_pdf
    from tremplin_cllaj.committee import (
        committee_create,
        committee_page,
        committees,
        decision_create,
    )
    from tremplin_cllaj.desk_pages import ROUTES

    return [
        *ROUTES,
        convention_pdf,
        committees,
        committee_create,
        committee_page,
        decision_create,
    ]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


def _works_in(user, keys: tuple[str, ...]) -> bool:
    return (
        user is not None
        and can(user, "social")
        and (not user.programmes or any(k in user.programmes for k in keys))
    )


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    items = []
    if _works_in(user, (BAIL, JAPPART, GLISSANT)):
        items.append(
            NavItem(
                N_("Permanence CLLAJ"),
                "/cllaj/desk",
                order=62,
                roles=roles_holding("social"),
                group=N_("programmes"),
            )
        )
    if _works_in(user, (GLISSANT,)):
        items.append(
            NavItem(
                N_("Comités bail glissant"),
                "/cllaj/committees",
                order=63,
                roles=roles_holding("social"),
                group=N_("programmes"),
            )
        )
    return items


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    from tremplin_cllaj import committee, desk, jappart

    return [
        DashboardItem(
            "cllaj_desk_followups",
            N_("Permanence CLLAJ : suivis ouverts depuis plus de 3 mois"),
            desk.stale_followups,
            order=22,
        ),
        DashboardItem(
            "cllaj_jappart_meetings",
            N_("J'APPART : moins de 2 rencontres avec le travailleur social le mois dernier"),
            jappart.too_few_meetings,
            order=23,
            programme=JAPPART,
        ),
        DashboardItem(
            "cllaj_committee",
            N_("Bail glissant jeunes actifs : comité de pilotage"),
            committee.committee_due,
            order=25,
            programme=GLISSANT,
        ),
    ]


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_cllaj import bail, committee, jappart, report
    from tremplin_cllaj.fields import CHECKS, FIELDS
    from tremplin_cllaj.partner import PARTNER_ITEMS
    from tremplin_cllaj.workflows import BAIL_WORKFLOW, GLISSANT_WORKFLOW, JAPPART_WORKFLOW

    def section(key: str, title: str, compute, order: int = 40, **kw) -> ReportSection:
        return ReportSection(key, title, "", compute, order=order, **kw)

    def common(key: str) -> dict:
        return {"fields": tuple(FIELDS.get(key, ())), "checks": tuple(CHECKS.get(key, ()))}

    bail_spec = ProgrammeSpec(
        Programme(
            key=BAIL,
            name_fr=N_("CLLAJ : permanence et bail accompagné"),
            name_en="Youth housing desk and supported lease",
            public="Jeunes de moins de 30 ans accédant à un premier logement autonome",
            prescribers=PRESCRIBERS,
            exit_destinations=BAIL_OUTCOMES,
            order=60,
        ),
        BAIL_WORKFLOW,
        **common(BAIL),
        event_types=(
            EventType(
                "cllaj_bail_mediation",
                N_("Médiation avec le bailleur (bail accompagné)"),
                contact=True,
                order=37,
            ),
        ),
        panels=(
            EnrolmentPanel(
                "cllaj_bail", BAIL, "cllaj/_bail_panel.html", bail.panel_context, order=10
            ),
        ),
        report_sections=(
            # Desk intakes and workshops are not enrolments: activity sections.
            section(
                "cllaj_desk",
                N_("La permanence d'accueil-information-orientation (AIO)"),
                report.desk_tables,
                activity=True,
            ),
            section(
                "cllaj_workshops",
                N_("Les ateliers collectifs"),
                report.workshop_tables,
                order=41,
                activity=True,
            ),
            section("cllaj_bail", N_("Le bail accompagné"), report.bail_tables, order=42),
        ),
    )
    jappart_spec = ProgrammeSpec(
        Programme(
            key=JAPPART,
            name_fr=N_("J'APPART"),
            name_en="J'APPART (youth furnished sub-let)",
            max_duration_months=JAPPART_MAX_MONTHS,
            partner_kinds=("mission_locale",),
            public="Jeunes de 18 à 25 ans suivis par la Mission Locale",
            prescribers=PRESCRIBERS,
            exit_destinations=EXIT_DESTINATIONS,
            agreement=JAPPART_AGREEMENT,
            order=61,
        ),
        JAPPART_WORKFLOW,
        **common(JAPPART),
        event_types=(
            EventType(
                "cllaj_jappart_meeting",
                N_("Rencontre avec le travailleur social (J'APPART)"),
                contact=True,
                order=36,
            ),
            EventType(
                "cllaj_derogation",
                N_("Dérogation à la durée d'occupation"),
                manual=False,
                order=922,
            ),
        ),
        panels=(
            EnrolmentPanel(
                "cllaj_jappart",
                JAPPART,
                "cllaj/_jappart_panel.html",
                jappart.panel_context,
                order=10,
            ),
        ),
        # J'APPART is conditioned on the Mission Locale's follow-up: it may see that part.
        shareable_groups=(
            ShareableGroup(
                JAPPART,
                "mission_locale",
                "Suivi Mission Locale, fin d'occupation et rencontres (jamais de montant)",
                order=50,
            ),
        ),
        partner_items=tuple(PARTNER_ITEMS),
        report_sections=(
            section("cllaj_jappart", N_("Le dispositif J'APPART"), report.jappart_tables),
        ),
    )
    glissant_spec = ProgrammeSpec(
        Programme(
            key=GLISSANT,
            name_fr=N_("Bail glissant jeunes actifs"),
            name_en="Sliding lease for young workers",
            public="Jeunes actifs de moins de 30 ans avec un revenu professionnel",
            prescribers=PRESCRIBERS,
            exit_destinations=EXIT_DESTINATIONS,
            order=62,
        ),
        GLISSANT_WORKFLOW,
        **common(GLISSANT),
        event_types=(
            EventType(
                "cllaj_glissant_visit",
                N_("Accompagnement dans le logement (bail glissant)"),
                contact=True,
                order=38,
            ),
        ),
        panels=(
            EnrolmentPanel(
                "cllaj_glissant",
                GLISSANT,
                "cllaj/_glissant_panel.html",
                committee.panel_context,
                order=10,
            ),
        ),
        report_sections=(
            section(
                "cllaj_glissant",
                "Parcours bail glissant des jeunes actifs",
                report.glissant_tables,
            ),
        ),
    )
    return [bail_spec, jappart_spec, glissant_spec]


@hookimpl
def tremplin_demo_data() -> list:
    from tremplin_cllaj.demo import demo_data

    return demo_data()


@hookimpl
def tremplin_object_scopes() -> list:
    """The desk, its sessions and intakes, and the committees belong to the CLLAJ
    programmes: 404 for workers restricted to other programmes."""
    from tremplin.api import ObjectScope
    from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART

    return [ObjectScope("/cllaj", programmes=(BAIL, JAPPART, GLISSANT))]
