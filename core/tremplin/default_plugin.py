"""The core's own hook implementations, registered like a plugin and never disabled."""

from __future__ import annotations

from tremplin.api import (
    DashboardItem,
    EnrolmentCheck,
    EventType,
    NavItem,
    PluginManifest,
    ReportSection,
    ShareableGroup,
    hookimpl,
)
from tremplin.i18n import N_
from tremplin.permissions import roles_holding
from tremplin.plugins import API_VERSION

_STAFF = tuple(r for r in roles_holding() if r != "partner")


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(
        slug="core", name=N_("Tremplin"), version=API_VERSION, api=f"=={API_VERSION}"
    )


@hookimpl
def tremplin_timeline_event_types() -> list[EventType]:
    return [
        EventType("note", N_("Note"), order=10),
        EventType("office_appointment", N_("Rendez-vous au bureau"), contact=True, order=20),
        EventType("home_visit", N_("Visite à domicile"), contact=True, order=30),
        EventType("phone_call", N_("Appel téléphonique"), order=40),
        EventType("letter", N_("Courrier"), order=50),
        EventType("tripartite_meeting", N_("Rencontre tripartite"), contact=True, order=60),
        EventType("incident", N_("Incident"), order=70),
        EventType("state_change", N_("Changement d'étape"), manual=False, order=900),
        EventType("document_added", N_("Document ajouté"), manual=False, order=910),
        EventType("document_deleted", N_("Document supprimé"), manual=False, order=915),
        EventType("correction", N_("Correction d'une étape"), manual=False, order=920),
    ]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    from tremplin.permissions import can

    if user is None:
        return []
    if user.role == "partner":
        return [NavItem(N_("Ménages partagés"), "/partner", order=10, roles=("partner",))]
    items = [NavItem(N_("Tableau de bord"), "/", order=10, roles=_STAFF)]
    if can(user, "social"):
        items.append(
            NavItem(
                N_("Ménages"),
                "/households",
                order=20,
                roles=roles_holding("social"),
                group=N_("support"),
            )
        )
        items.append(
            NavItem(
                N_("Échéances"),
                "/echeances",
                order=22,
                roles=roles_holding("social"),
                group=N_("support"),
            )
        )
        items.append(
            NavItem(
                N_("Calendrier"),
                "/calendrier",
                order=24,
                roles=roles_holding("social"),
                group=N_("support"),
            )
        )
    if can(user, "reports"):
        items.append(
            NavItem(
                N_("Rapports"),
                "/reports",
                order=80,
                roles=roles_holding("reports"),
                group=N_("steering"),
            )
        )
    if can(user, "import"):
        items.append(
            NavItem(
                N_("Import"), "/import", order=85, roles=roles_holding("import"), group=N_("admin")
            )
        )
    if can(user, "archive"):
        items.append(
            NavItem(
                N_("Archives"),
                "/archives",
                order=88,
                roles=roles_holding("archive"),
                group=N_("admin"),
            )
        )
    if can(user, "audit"):
        items.append(
            NavItem(
                N_("Journal d'audit"),
                "/admin/audit",
                order=90,
                roles=roles_holding("audit"),
                group=N_("admin"),
            )
        )
    if can(user, "admin"):
        items.append(
            NavItem(
                N_("Comptes"),
                "/admin/users",
                order=95,
                roles=roles_holding("admin"),
                group=N_("admin"),
            )
        )
    return items


@hookimpl
def tremplin_step_corrected(correction):
    """The core's own effect of a correction: the step's timeline event moves to the new date."""
    from tremplin.services.corrections import move_step_event

    return lambda: move_step_event(correction)


def common_declarations(programme: str) -> dict[str, list]:
    """What the core declares for every programme, added to each spec by the registry:

    - checks: an orientation is not dated in the future (forms, API and import all record
      orientations through the same command, which runs these checks), and a SIAO
      validation, where the programme asks for one, does not precede the orientation;
    - the four shareable groups every programme has.
    """
    return {
        "checks": [
            EnrolmentCheck("referral_not_future", programme, _referral_not_future, order=0),
            EnrolmentCheck("siao_after_referral", programme, _siao_after_referral, order=1),
        ],
        "shareable_groups": [
            ShareableGroup(programme, "identity", "Identité et composition du ménage", order=10),
            ShareableGroup(programme, "enrolment", "Étape et dates de l'accompagnement", order=20),
            ShareableGroup(programme, "shared_notes", "Notes marquées « partagé »", order=30),
            ShareableGroup(
                programme, "contact", "Coordonnées (adresse, téléphone, courriel)", order=40
            ),
        ],
    }


def _referral_not_future(values: dict) -> dict[str, str]:
    from tremplin.services.clock import today

    raw = values.get("referral_date")
    if raw and str(raw) > today().isoformat():
        return {"referral_date": "la date d'orientation ne peut pas être dans le futur"}
    return {}


def _siao_after_referral(values: dict) -> dict[str, str]:
    referral, siao = values.get("referral_date"), values.get("siao_validation_date")
    if referral and siao and str(siao) < str(referral):
        return {"siao_validation_date": "la validation SIAO précède la date d'orientation"}
    return {}


@hookimpl
def tremplin_report_sections(programme: str) -> list[ReportSection]:
    """The common indicators, in every programme's report."""
    return [ReportSection("indicators", N_("Indicateurs"), "*", _common_indicators, order=10)]


async def _common_indicators(ctx):
    from tremplin.reports.indicators import common_indicators

    return await common_indicators(ctx)


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    from tremplin.dashboard import (
        due_dates,
        recent_households,
        referent_enrolments,
        upcoming_appointments,
    )
    from tremplin.permissions import can

    if not can(user, "social"):
        return []  # household names only for those who may open the files
    return [
        DashboardItem("due_dates", N_("Échéances"), due_dates, order=5, more_href="/echeances"),
        DashboardItem(
            "appointments",
            N_("Mes prochains rendez-vous"),
            upcoming_appointments,
            order=6,
            more_href="/calendrier",
        ),
        DashboardItem("my_enrolments", N_("Mes accompagnements"), referent_enrolments, order=10),
        DashboardItem("recent", N_("Ménages modifiés récemment"), recent_households, order=90),
    ]
