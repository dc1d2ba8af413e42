"""Per-application objects reachable from a request (configuration, never request state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from litestar.connection import ASGIConnection

from tremplin.config import Settings
from tremplin.errors import Actor
from tremplin.models import User
from tremplin.plugins import PluginHost

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass
class AppContext:
    settings: Settings
    host: PluginHost
    jinja: Environment


def app_context(connection: ASGIConnection) -> AppContext:
    return connection.app.state.tremplin


def current_user(connection: ASGIConnection) -> User:
    return connection.scope["user"]


def client_address(connection: ASGIConnection) -> str:
    client = connection.scope.get("client")
    return client[0] if client else ""


def actor(connection: ASGIConnection) -> Actor:
    user = connection.scope.get("user")
    return Actor(user_id=user.id if user else None, address=client_address(connection))


def user_programmes(connection: ASGIConnection) -> list[str]:
    """Enabled programmes this user works in (all enabled ones when none are assigned)."""
    host = app_context(connection).host
    user = current_user(connection)
    assigned = [p for p in (user.programmes or []) if p in host.programmes]
    return assigned if user.programmes else host.programme_keys
