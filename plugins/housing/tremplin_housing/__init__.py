"""Housing (*logement*): the shared capability plugin for dwellings, owners, occupancy,
the rent account and arrears.

Most programmes place households in dwellings and collect rent; they declare
``depends_on=("housing",)`` and use :mod:`tremplin_housing.api` only. This plugin
defines no programme. It uses only :mod:`tremplin.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tremplin.api import (
    N_,
    DashboardContext,
    DashboardItem,
    DashboardRow,
    EventType,
    HouseholdPanel,
    NavItem,
    PluginManifest,
    ReportSection,
    can,
    domain,
    hookimpl,
    household_filter,
    roles_holding,
)

_t = domain(__name__)
gettext, ngettext = _t.gettext, _t.ngettext

__version__ = "0.1.0"
SLUG = "housing"


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug=SLUG, name=N_("Logement et gestion locative"), version=__version__, api=">=1.5,<2"
    )


@hookimpl
def tremplin_piccolo_apps() -> list[str]:
    return ["tremplin_housing.piccolo_app"]


@hookimpl
def tremplin_step_corrected(correction):
    """A corrected entry or exit date moves the occupancy its transition opened or closed."""
    from tremplin_housing.journey import correct_dates

    async def effect() -> str | None:
        return await correct_dates(correction)

    return effect


@hookimpl
def tremplin_timeline_event_types() -> list[EventType]:
    return [
        EventType(
            "housing_occupancy",
            N_("Entrée, sortie ou transfert de logement"),
            manual=False,
            order=930,
        ),
        EventType("housing_payment", N_("Paiement du loyer"), manual=False, order=931),
        EventType("housing_inventory", N_("État des lieux"), manual=False, order=932),
        EventType("housing_arrears_step", N_("Procédure d'impayés"), manual=False, order=933),
        EventType("intervention", N_("Intervention dans le logement"), manual=False, order=934),
        EventType("technical_visit", N_("Passage technique"), order=39, roles=("technician",)),
        EventType("housing_claim", N_("Sinistre dans le logement"), manual=False, order=935),
    ]


@hookimpl
def tremplin_commands() -> list:
    from tremplin_housing.commands import COMMANDS

    return COMMANDS


@hookimpl
def tremplin_routes() -> list:
    from tremplin_housing.routes import ROUTES

    return ROUTES


@hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    if user is None:
        return []
    items = []
    if can(user, "technical"):
        items.append(
            NavItem(
                N_("Logements"),
                "/housing/dwellings",
                order=40,
                roles=roles_holding("technical"),
                group=N_("housing"),
            )
        )
        items.append(
            NavItem(
                N_("Captation"),
                "/housing/captation",
                order=41,
                roles=roles_holding("technical"),
                group=N_("housing"),
            )
        )
    if can(user, "rental"):
        items.append(
            NavItem(
                N_("Impayés"),
                "/housing/arrears",
                order=45,
                roles=roles_holding("rental"),
                group=N_("housing"),
            )
        )
    if getattr(user, "role", None) in ("admin", "head_of_service"):
        items.append(
            NavItem(
                N_("Réglages logement"),
                "/housing/settings",
                order=90,
                roles=("admin", "head_of_service"),
                group=N_("admin"),
            )
        )
    return items


async def _panel(household_id: int, user: Any, request: Any = None) -> dict[str, Any] | None:
    from tremplin_housing.panel import household_panel

    return await household_panel(household_id, user, request)


@hookimpl
def tremplin_household_panels() -> list[HouseholdPanel]:
    return [
        HouseholdPanel(
            "housing",
            N_("Logement et loyer"),
            "housing/_household_panel.html",
            _panel,
            order=20,
            with_request=True,
        )
    ]


async def _arrears_rows(ctx: DashboardContext) -> list[DashboardRow]:
    from tremplin_housing.arrears import review_list
    from tremplin_housing.common import money_label
    from tremplin_housing.tables import BalanceSpan

    rows = await review_list(ctx.today, scope=household_filter(ctx, BalanceSpan.household))
    if ctx.restricted_to is not None and rows:
        # Names only on the review page, which checks each household's visibility.
        return [
            DashboardRow(
                ngettext(
                    "{n} ménage au-dessus du seuil", "{n} ménages au-dessus du seuil", len(rows)
                ).format(n=len(rows)),
                "/housing/arrears",
            )
        ]
    return [
        DashboardRow(
            f"{r['name']} ({r['reference']})",  # names, nothing to translate
            "/housing/arrears",
            gettext("solde dû : {amount}").format(amount=money_label(r["balance_cents"])),
        )
        for r in rows[:10]
    ]


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    from tremplin_housing import dashboard

    if user is None or not can(user, "technical"):
        return []
    return [
        DashboardItem(
            "housing_rent_calls",
            N_("Appels de loyer du mois"),
            dashboard.rent_calls_due,
            order=28,
            capability="rental",
        ),
        DashboardItem(
            "housing_arrears",
            N_("Impayés au-dessus du seuil"),
            _arrears_rows,
            order=30,
            capability="rental",
        ),
        DashboardItem(
            "housing_vacancies",
            gettext("Logements vacants depuis plus de {days} jours").format(
                days=dashboard.VACANT_DAYS
            ),
            dashboard.long_vacancies,
            order=31,
            capability="technical",
        ),
        DashboardItem(
            "housing_interventions",
            N_("Interventions en cours"),
            dashboard.open_interventions,
            order=32,
            capability="technical",
        ),
    ]


@hookimpl
def tremplin_report_sections(programme: str) -> list[ReportSection]:
    """The housing section (stock, vacancy, arrears) in each programme's report; its
    tables are empty for a programme with no dwelling and no occupancy."""
    from tremplin_housing.report import section_for

    return section_for(programme)


@hookimpl
def tremplin_demo_data() -> list:
    from tremplin_housing.demo import demo_data

    return demo_data()


@hookimpl
def tremplin_object_scopes() -> list:
    """The programme of each object the housing routes name (the core answers 404 to a user
    restricted to other programmes): a dwelling's own, an occupancy's, and through them the
    rest. A dwelling not yet used by a programme is tied to none."""
    from tremplin.api import ObjectScope
    from tremplin_housing.tables import (
        AidApplication,
        ArrearsStep,
        Claim,
        DepositInstalment,
        Dwelling,
        Intervention,
        Inventory,
        Occupancy,
    )

    return [
        ObjectScope("/housing", "dwelling_id", Dwelling, Dwelling.programme),
        ObjectScope(
            "/housing", "occupancy_id", Occupancy, Occupancy.programme, Occupancy.household
        ),
        ObjectScope(
            "/housing",
            "aid_id",
            AidApplication,
            AidApplication.occupancy.programme,
            AidApplication.household,
        ),
        ObjectScope(
            "/housing",
            "step_id",
            ArrearsStep,
            ArrearsStep.occupancy.programme,
            ArrearsStep.household,
        ),
        ObjectScope("/housing", "claim_id", Claim, Claim.dwelling.programme),
        ObjectScope(
            "/housing",
            "instalment_id",
            DepositInstalment,
            DepositInstalment.occupancy.programme,
            DepositInstalment.occupancy.household,
        ),
        ObjectScope("/housing", "intervention_id", Intervention, Intervention.dwelling.programme),
        ObjectScope(
            "/housing",
            "inventory_id",
            Inventory,
            Inventory.occupancy.programme,
            Inventory.occupancy.household,
        ),
    ]
