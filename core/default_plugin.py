"""The core's own hook implementations, registered like a plugin and never disabled."""

from __future__ import annotations

from tremplin.api import DashboardItem, DashboardRow, EventType, NavItem, PluginManifest, hookimpl
from tremplin.plugins import API_VERSION


@hookimpl
def tremplin_manifest() -> PluginManifest:
    return PluginManifest(slug="core", name="Tremplin", version=API_VERSION, api=f"=={API_VERSION}")


@hookimpl
def tremplin_timeline_event_types() -> list[EventType]:
    return [
        EventType("note", "Note", order=10),
        EventType("office_appointment", "Rendez-vous au bureau", contact=True, order=20),
        EventType("home_visit", "Visite à domicile", contact=True, order=30),
        EventType("phone_call", "Appel téléphonique", order=40),
        EventType("letter", "Courrier", order=50),
        EventType("tripartite_meeting", "Rencontre tripartite", contact=True, order=60),
        EventType("incident", "Incident", order=70),
        EventType("state_change", "Changement d'étape", manual=False, order=900),
        EventType("document_added", "Document ajouté", manual=False, order=910),
    ]


@hookimpl
def tremplin_navigation(user) -> list[NavItem]:
    items = [
        NavItem("Tableau de bord", "/", order=10),
        NavItem("Ménages", "/households", order=20),
    ]
    return [i for i in items if user is not None and user.role != "partner"]


@hookimpl
def tremplin_dashboard_items(user) -> list[DashboardItem]:
    from tremplin.dashboard import referent_enrolments, recent_households

    return [
        DashboardItem("my_enrolments", "Mes accompagnements", referent_enrolments, order=10),
        DashboardItem("recent", "Ménages modifiés récemment", recent_households, order=90),
    ]
