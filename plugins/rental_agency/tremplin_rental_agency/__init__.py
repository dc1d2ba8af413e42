"""The social rental agency (*agence immobilière à vocation sociale*, ASL 2024 report).

Besides its programmes, an agency takes housing demands at a desk, examines them in a
monthly allocation committee (*CEDL*) with partners present and a versioned scoring grid,
allocates the dwellings that become free to accepted demands, has the lease signed (the
occupancy is opened through the ``housing`` capability), follows every tenant of its stock
in *gestion locative adaptée* (GLA) and holds a monthly arrears commission. Its report
chapter « Agence immobilière sociale » also counts the whole stock, with or without a
programme.

The programme ``rental_agency`` carries the chapter and the agency's pages; demands, GLA
and commissions do not enrol anyone. It uses only :mod:`tremplin.api` and
:mod:`tremplin_housing.api` (through :mod:`.housing_link`).
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    N_,
    Choice,
    DemoData,
    EventType,
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    State,
    Transition,
    Workflow,
    hookimpl,
    vocabulary,
)
from tremplin_rental_agency.vocab import GLA_KINDS, KEY

__version__ = "0.1.0"

STAFF = ("admin", "head_of_service", "social_worker", "rental_manager")

#: An enrolment in the agency's programme is optional: a household followed individually
#: by the agency's social team. GLA itself covers every tenant without an enrolment.
WORKFLOW = Workflow(
    programme=KEY,
    states=(
        State("followed", N_("Suivi par l'agence"), "active"),
        State("closed", N_("Suivi terminé"), "closed"),
    ),
    initial="followed",
    transitions=(Transition("close", N_("Terminer le suivi"), ("followed",), "closed"),),
)


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug=KEY,
        name=N_("Agence immobilière sociale"),
        version=__version__,
        api=">=1.1,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_rental_agency.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_rental_agency import fund_routes, gla_routes, importer, minutes, routes

    return [
        *routes.ROUTES,
        *gla_routes.ROUTES,
        *fund_routes.ROUTES,
        *minutes.ROUTES,
        *importer.ROUTES,
    ]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    return [
        NavItem(N_("Demandes de logement"), f"/{KEY}/demands", order=40, roles=STAFF),
        NavItem(N_("CEDL"), f"/{KEY}/sessions", order=41, roles=STAFF),
        NavItem(N_("GLA et impayés"), f"/{KEY}/gla", order=42, roles=STAFF),
        NavItem(N_("Fonds mutualisé"), f"/{KEY}/fund", order=43, roles=STAFF),
        NavItem(N_("Grille de cotation"), f"/{KEY}/grid", order=86, roles=("admin",)),
        NavItem(N_("Commissions CEDL"), f"/{KEY}/partner/sessions", order=41, roles=("partner",)),
    ]


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_rental_agency.report import SECTIONS

    own = tuple(
        EventType(c.value, c.label, contact=True, manual=False, order=940 + n)
        for n, c in enumerate(GLA_KINDS)
    )
    programme = Programme(
        key=KEY,
        name_fr=N_("Agence immobilière sociale"),
        name_en="Social rental agency",
        public="Ménages demandeurs d'un logement et locataires du parc de l'agence",
        prescribers=vocabulary.PRESCRIBERS,
        exit_destinations=(Choice("other", N_("Autre")),),
        order=90,
    )
    return [
        ProgrammeSpec(
            programme,
            WORKFLOW,
            event_types=own
            + (
                EventType(
                    "rental_agency_demand", N_("Demande de logement"), manual=False, order=930
                ),
                EventType("rental_agency_desk", N_("Reçu en permanence"), manual=False, order=931),
                EventType("rental_agency_cedl", N_("Décision de la CEDL"), manual=False, order=932),
                EventType(
                    "rental_agency_allocation", N_("Logement attribué"), manual=False, order=933
                ),
            ),
            report_sections=tuple(
                ReportSection(key, title, KEY, compute, order=40 + n, activity=True)
                for n, (key, title, compute) in enumerate(SECTIONS)
            ),
        )
    ]


@hookimpl
def tremplin_demo_data() -> list[DemoData]:
    from tremplin_rental_agency.demo import load

    return [DemoData(KEY, load, order=60)]
