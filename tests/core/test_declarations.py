"""Declarations the core cannot honour stop start-up, with a French message naming the plugin;
the menu shows each entry only to the roles it names, and none leads to « Accès refusé »."""

from __future__ import annotations

import re
import types

import pytest
from litestar import Router, get

from tests.conftest import ROLES, Session, login
from tremplin.api import (
    Field,
    NavItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ShareableGroup,
    State,
    Transition,
    Workflow,
    hookimpl,
    requires,
)
from tremplin.config import ConfigError
from tremplin.plugins import load_plugins
from tremplin.types import Deadline

SLUG = "alt_test"


def _plugin(**overrides) -> types.ModuleType:
    """A small valid programme plugin; ``overrides`` replace its hook results."""
    declared = {
        "states": (State("referral", "Orientation"), State("housed", "Hébergé")),
        "transitions": (Transition("enter", "Entrée", ("referral",), "housed"),),
        "deadlines": (),
        "fields": [Field("caf_number", "Numéro CAF", group="siao")],
        "groups": [ShareableGroup(SLUG, "siao", "Partagé avec le SIAO")],
        "routes": [get(f"/{SLUG}/stays", guards=[requires("social")], sync_to_thread=False)(_page)],
        "nav": [NavItem("Séjours ALT", f"/{SLUG}/stays", roles=("social_worker",))],
        **overrides,
    }
    module = types.ModuleType(f"tremplin_{SLUG}")

    @hookimpl
    def tremplin_manifest():
        return PluginManifest(slug=SLUG, name="ALT (test)")

    @hookimpl
    def tremplin_programme_specs():
        workflow = Workflow(
            SLUG, declared["states"], "referral", declared["transitions"], declared["deadlines"]
        )
        return [
            ProgrammeSpec(
                Programme(SLUG, "ALT", "Temporary housing"),
                workflow,
                fields=tuple(declared["fields"]),
                shareable_groups=tuple(declared["groups"]),
            )
        ]

    @hookimpl
    def tremplin_routes():
        return declared["routes"]

    @hookimpl
    def tremplin_navigation(user):
        return declared["nav"]

    for function in (
        tremplin_manifest,
        tremplin_programme_specs,
        tremplin_routes,
        tremplin_navigation,
    ):
        setattr(module, function.__name__, function)
    return module


def _page() -> str:
    return "séjours"


def _load(**overrides):
    return load_plugins([SLUG], extra=[(SLUG, _plugin(**overrides))])


def test_a_valid_declaration_starts():
    host = _load()
    assert SLUG in host.programmes


def _router(**guards) -> Router:
    return Router(
        path=f"/{SLUG}/rooms",
        route_handlers=[get("/", sync_to_thread=False, **guards)(_page)],
    )


@pytest.mark.parametrize(
    "routes",
    [
        [Router(path=f"/{SLUG}", guards=[requires("social")], route_handlers=[_router()])],
        [_router(guards=[requires("social")])],
    ],
    ids=["router-guard", "handler-guard"],
)
def test_a_guarded_router_starts(routes):
    """A plugin may return a Router (the hook says so): its routes are checked, with the
    guards of every layer that owns them."""
    host = _load(routes=routes)
    assert SLUG in host.programmes


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"transitions": (Transition("exit", "Sortie", ("housed",), "exited"),)},
            "la transition « exit » dans le workflow du programme « alt_test » vers ou depuis "
            "l'état « exited »",
        ),
        (
            {"deadlines": (Deadline("renewal", "Renouvellement", ("stay",), lambda e: None),)},
            "l'échéance « renewal »",
        ),
        (
            {"fields": [Field("entry_date", "Date d'entrée", kind="date")]},
            "le champ « entry_date » du programme « alt_test »",
        ),
        (
            {"groups": []},
            "dans le groupe « siao »",
        ),
        (
            {"routes": [get("/stays", guards=[requires("social")], sync_to_thread=False)(_page)]},
            "la route « /stays »",
        ),
        (
            {"routes": [get(f"/{SLUG}/open", sync_to_thread=False)(_page)]},
            "la route « /alt_test/open » sans garde d'accès",
        ),
        (
            {"routes": [Router(path="/", route_handlers=[_router()])]},
            "la route « /alt_test/rooms » sans garde d'accès",
        ),
        (
            {"routes": [Router(path="/rooms", route_handlers=[_router()])]},
            "la route « /rooms/alt_test/rooms »",
        ),
        (
            {"nav": [NavItem("Séjours ALT", f"/{SLUG}/stays")]},
            "l'entrée de menu « Séjours ALT » (/alt_test/stays) sans rôles",
        ),
        (
            {
                "transitions": (
                    Transition("enter", "Entrée", ("referral",), "housed", timeline_event=False),
                )
            },
            "la transition « enter » dans le workflow du programme « alt_test » sans ligne au fil",
        ),
    ],
    ids=[
        "state",
        "deadline",
        "column",
        "group",
        "prefix",
        "guard",
        "router-guard",
        "router-prefix",
        "nav-roles",
        "no-line",
    ],
)
def test_an_invalid_declaration_is_refused_naming_the_plugin(overrides, expected):
    with pytest.raises(ConfigError) as caught:
        _load(**overrides)
    message = str(caught.value)
    assert message.startswith(f"le plugin « {SLUG} » déclare ")
    assert expected in message


def test_a_refusal_is_told_in_the_current_language():
    """The refusal is translated in the current language: the same one in English."""
    from tremplin.i18n import use_language

    with use_language("en"), pytest.raises(ConfigError) as caught:
        _load(routes=[get(f"/{SLUG}/open", sync_to_thread=False)(_page)])
    assert str(caught.value) == (
        "the plugin “alt_test” declares the route “/alt_test/open” without an access guard: "
        "add guards=[requires(...)], roles(...), staff_only or partner_only from tremplin.api"
    )


_NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)


@pytest.mark.parametrize("role", ROLES)
async def test_no_menu_entry_leads_to_access_refused(client, users, role):
    session = Session(client, await login(client, f"{role}@test.fr"), users[role])
    home = await session.get("/partner" if role == "partner" else "/")
    if role == "dpo":
        home = await session.get("/archives")
    assert home.status_code == 200, (role, home.status_code)
    menu = _NAV.search(home.text).group(1)
    hrefs = re.findall(r'href="(/[^"]*)"', menu)
    assert hrefs, role
    for href in hrefs:
        if href in ("/logout", "/account"):
            continue
        response = await session.get(href)
        assert response.status_code == 200, (role, href, response.status_code)
