"""IML under management mandate with the agency's social support measures (ASL).

Two programmes:

- ``iml_mandate`` (*IML en mandat de gestion*): the household signs the lease directly with
  the owner, the agency holds the management mandate (housing plugin, occupancy kind
  ``lease``). A global support of 12 months at most that starts before entry (choosing the
  dwelling), then stabilisation on axes, with the DDETS prior agreement and the adherence
  contract as guards of the lease.
- ``housing_support`` (*accompagnement social lié au logement*): one enrolment per measure,
  "simple" (arrears, CAF-funded) or "reinforced" (contract with goals, 6 months extendable),
  with months-measures and the evolution of the rent debt.

It uses only :mod:`tremplin.api` and :mod:`tremplin_housing.api`.
"""

from __future__ import annotations

from pathlib import Path

from tremplin.api import (
    N_,
    Choice,
    EnrolmentPanel,
    EventType,
    Field,
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    hookimpl,
)
from tremplin_iml_mandate.workflow import (
    KEY,
    MAX_MONTHS,
    MEASURE_KINDS,
    MEASURE_OUTCOMES,
    OUTCOMES,
    PRESCRIBERS,
    SUPPORT_KEY,
    SUPPORT_PRESCRIBERS,
    SUPPORT_WORKFLOW,
    TRIGGERS,
    WORKFLOW,
)

__version__ = "0.2.0"

TYPOLOGIES = (
    Choice("T1", N_("T1")),
    Choice("T2", N_("T2")),
    Choice("T3", N_("T3")),
    Choice("T4", N_("T4")),
    Choice("T5", N_("T5 et plus")),
)


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug="iml_mandate",
        name=N_("IML en mandat de gestion et mesures d'accompagnement"),
        version=__version__,
        api=">=1.2,<2",
        depends_on=("housing",),
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_iml_mandate.piccolo_app"]


@hookimpl
def tremplin_routes() -> list:
    from tremplin_iml_mandate.axes import axis_update
    from tremplin_iml_mandate.follow import follow_up
    from tremplin_iml_mandate.funding import funding_page, funding_save

    return [axis_update, follow_up, funding_page, funding_save]


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    return [
        NavItem(
            N_("Suivi IML mandat / ASLL"),
            f"/{KEY}/follow-up",
            order=64,
            roles=("admin", "head_of_service", "social_worker"),
            group=N_("programmes"),
        ),
        NavItem(
            N_("Mesures financées"),
            f"/{KEY}/funding",
            order=85,
            roles=("head_of_service", "admin"),
            group=N_("steering"),
        ),
    ]


MANDATE_FIELDS = (
    Field(
        "ddets_agreement_date",
        N_("Date de l'accord préalable de la DDETS"),
        kind="date",
        help=N_("Obligatoire avant la signature du bail."),
        order=10,
    ),
    Field("monthly_resources", N_("Ressources mensuelles du ménage"), kind="money", order=20),
    Field("max_rent", N_("Loyer résiduel supportable"), kind="money", order=21),
    Field("wanted_location", N_("Secteur recherché"), max_length=100, order=22),
    Field(
        "wanted_typology",
        N_("Typologie recherchée"),
        kind="choice",
        choices=TYPOLOGIES,
        order=23,
    ),
)

SUPPORT_FIELDS = (
    Field(
        "measure_kind",
        N_("Type de mesure"),
        kind="choice",
        required=True,
        choices=MEASURE_KINDS,
        order=10,
    ),
    Field("trigger", N_("Motif de l'accompagnement"), kind="choice", choices=TRIGGERS, order=11),
    Field("debt_at_entry", N_("Dette locative à l'entrée"), kind="money", order=20),
    Field("debt_latest", N_("Dette locative au dernier point"), kind="money", order=21),
    Field("plan_kept", N_("Plan d'apurement respecté"), kind="bool", order=22),
)


@hookimpl
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    from tremplin_iml_mandate.axes import panel_context as axes_context
    from tremplin_iml_mandate.panels import measure_panel_context, support_panel_context
    from tremplin_iml_mandate.report import mandate_tables, measures_tables

    mandate = ProgrammeSpec(
        Programme(
            key=KEY,
            name_fr=N_("IML en mandat de gestion"),
            name_en="Rental intermediation (management mandate)",
            max_duration_months=MAX_MONTHS,
            public="Tout type de ménage susceptible d'accéder au logement, orienté par le SIAO",
            prescribers=PRESCRIBERS,
            exit_destinations=OUTCOMES,
            order=15,
        ),
        WORKFLOW,
        fields=MANDATE_FIELDS,
        # Home visits and office appointments are the core's contact kinds.
        event_types=(
            EventType(
                "stabilisation_axis", N_("Axe de stabilisation mis à jour"), manual=False, order=925
            ),
        ),
        panels=(
            EnrolmentPanel(
                "mandate_support", KEY, f"{KEY}/_support.html", support_panel_context, order=5
            ),
            EnrolmentPanel("mandate_axes", KEY, f"{KEY}/_axes.html", axes_context, order=10),
        ),
        report_sections=(
            ReportSection(
                "mandate",
                N_("IML en mandat de gestion : accompagnement global"),
                KEY,
                mandate_tables,
                order=50,
            ),
        ),
    )
    support = ProgrammeSpec(
        Programme(
            key=SUPPORT_KEY,
            name_fr=N_("Accompagnement social lié au logement"),
            name_en="Housing-related social support (simple and reinforced)",
            public="Locataires de l'agence en difficulté dans leur logement (impayé, "
            "voisinage, logement inadapté)",
            prescribers=SUPPORT_PRESCRIBERS,
            exit_destinations=MEASURE_OUTCOMES,
            order=16,
        ),
        SUPPORT_WORKFLOW,
        fields=SUPPORT_FIELDS,
        panels=(
            EnrolmentPanel(
                "support_measure",
                SUPPORT_KEY,
                f"{KEY}/_measure.html",
                measure_panel_context,
                order=5,
            ),
        ),
        report_sections=(
            ReportSection(
                "measures",
                N_("Accompagnement social simple et renforcé"),
                SUPPORT_KEY,
                measures_tables,
                order=50,
            ),
        ),
    )
    return [mandate, support]


@hookimpl
def tremplin_demo_data() -> list:
    from tremplin_iml_mandate.demo import demo_data

    return demo_data()


@hookimpl
def tremplin_object_scopes() -> list:
    """The follow-up and funding pages belong to the mandate's programmes."""
    from tremplin.api import ObjectScope

    return [ObjectScope(f"/{KEY}", programmes=(KEY, SUPPORT_KEY))]
