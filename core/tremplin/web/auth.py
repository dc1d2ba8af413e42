"""Authentication (session cookie or personal API token), CSRF and access guards."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from tremplin.i18n import N_
from tremplin.permissions import can
from tremplin.services import accounts
from tremplin.web.state import app_context

SESSION_COOKIE = "tremplin_session"
PRE_COOKIE = "tremplin_pre"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_PATHS = ["^/login$", "^/static/", "^/healthz$", "^/readyz$"]


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolve the user from ``Authorization: Bearer`` or the session cookie."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            user = await accounts.resolve_api_token(header[7:].strip())
            if user is None:
                raise NotAuthorizedException(N_("jeton d'API invalide ou révoqué"))
            return AuthenticationResult(user=user, auth={"kind": "token", "csrf": None})
        token = connection.cookies.get(SESSION_COOKIE)
        if token:
            settings = app_context(connection).settings
            resolved = await accounts.resolve_session(
                token,
                idle=dt.timedelta(minutes=settings.session_idle_minutes),
                absolute=dt.timedelta(hours=settings.session_absolute_hours),
            )
            if resolved is not None:
                user, csrf, mfa_pending = resolved
                return AuthenticationResult(
                    user=user, auth={"kind": "session", "csrf": csrf, "mfa_pending": mfa_pending}
                )
        raise NotAuthorizedException(N_("authentification requise"))


def anonymous_csrf(connection: ASGIConnection, pre_token: str) -> str:
    """The login form's CSRF token, bound to a pre-session cookie and the secret."""
    secret = app_context(connection).settings.effective_secret.encode()
    return hmac.new(secret, f"login:{pre_token}".encode(), hashlib.sha256).hexdigest()


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def expected_csrf(connection: ASGIConnection) -> str | None:
    auth = connection.scope.get("auth")
    if isinstance(auth, dict) and auth.get("csrf"):
        return auth["csrf"]
    pre = connection.cookies.get(PRE_COOKIE)
    return anonymous_csrf(connection, pre) if pre else None


async def csrf_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every unsafe request made with a cookie must carry the session's CSRF token,
    in the ``X-CSRF-Token`` header (htmx) or the ``_csrf`` form field."""
    if connection.scope.get("method") not in UNSAFE:
        return
    auth = connection.scope.get("auth")
    if isinstance(auth, dict) and auth.get("kind") == "token":
        return  # no ambient credential: a bearer token cannot be sent by another site
    expected = expected_csrf(connection)
    provided = connection.headers.get(CSRF_HEADER)
    if provided is None:
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # ASGIConnection has no form(): a form body only comes with an HTTP Request
            form = await connection.form()  # type: ignore[attr-defined]
            provided = form.get(CSRF_FIELD)
    if not expected or not provided or not hmac.compare_digest(str(provided), expected):
        raise PermissionDeniedException(N_("jeton CSRF manquant ou invalide : rechargez la page"))


def staff_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.scope.get("user")
    if user is None or user.role == "partner":
        raise PermissionDeniedException(N_("réservé à l'équipe de l'association"))


# a guard carries its access rule as an attribute (read by declarations' route check)
staff_only.access_rule = "staff"  # type: ignore[attr-defined]


def access_rule(handler: BaseRouteHandler) -> str | None:
    """The access rule a route handler declares through its guards (``None``: none)."""
    if handler.opt.get("exclude_from_auth"):
        return "public"
    for layer in handler.ownership_layers:
        for guard in layer.guards or ():
            rule = getattr(guard, "access_rule", None)
            if rule:
                return rule
    return None


def authenticated(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Any logged-in user (the authentication middleware already refused anonymous ones)."""
    if connection.scope.get("user") is None:
        raise NotAuthorizedException(N_("authentification requise"))


# a guard carries its access rule as an attribute (read by declarations' route check)
authenticated.access_rule = "authenticated"  # type: ignore[attr-defined]


def requires(capability: str):
    """A guard letting through users holding ``capability`` (see :mod:`tremplin.permissions`)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if not can(connection.scope.get("user"), capability):
            raise PermissionDeniedException(N_("accès refusé pour votre rôle"))

    guard.__name__ = f"requires({capability})"
    # a guard carries its access rule as an attribute (read by declarations' route check)
    guard.access_rule = f"requires:{capability}"  # type: ignore[attr-defined]
    return guard


def partner_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.scope.get("user")
    if user is None or user.role != "partner" or not user.partner:
        raise PermissionDeniedException(N_("réservé aux partenaires"))


# a guard carries its access rule as an attribute (read by declarations' route check)
partner_only.access_rule = "partner"  # type: ignore[attr-defined]


def roles(*allowed: str):
    """A guard letting only the given roles through."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None or user.role not in allowed:
            raise PermissionDeniedException(N_("accès refusé pour votre rôle"))

    guard.__name__ = f"roles({', '.join(allowed)})"
    # a guard carries its access rule as an attribute (read by declarations' route check)
    guard.access_rule = f"roles:{','.join(allowed)}"  # type: ignore[attr-defined]
    return guard
