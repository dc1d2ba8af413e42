"""The second factor (TOTP): the code page after the password, and setting it up.

Administrators must set it up before anything else; every other user may.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Template

from tremplin.models import User
from tremplin.services import accounts, audit, totp
from tremplin.web.auth import SESSION_COOKIE, authenticated
from tremplin.web.formdata import form_dict
from tremplin.web.pages.auth import _cookie
from tremplin.web.state import actor, app_context, current_user

OPEN_WHILE_PENDING = {"/login/totp", "/logout"}
OPEN_BEFORE_SETUP = {"/account/totp", "/account/password", "/logout"}


class SecondFactorRequired(PermissionDeniedException):
    """The session still waits for its one-time code."""


class SecondFactorSetupRequired(PermissionDeniedException):
    """An administrator has not set up the second factor yet."""


def second_factor_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    auth = connection.scope.get("auth")
    path = connection.scope["path"]
    if isinstance(auth, dict) and auth.get("mfa_pending") and path not in OPEN_WHILE_PENDING:
        raise SecondFactorRequired("code à usage unique requis")
    user = connection.scope.get("user")
    if (
        user is not None
        and user.role == "admin"
        and not user.totp_secret
        and isinstance(auth, dict)
        and auth.get("kind") == "session"
        and path not in OPEN_BEFORE_SETUP
    ):
        raise SecondFactorSetupRequired("double authentification à configurer")


def _signature(request: Request, secret: str) -> str:
    key = app_context(request).settings.effective_secret.encode()
    message = f"totp-setup:{current_user(request).id}:{secret}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@get("/login/totp", guards=[authenticated])
async def code_page(request: Request) -> Template:
    return Template("account/totp_code.html", context={"error": None})


@post("/login/totp", guards=[authenticated])
async def code_check(request: Request) -> Response:
    user = current_user(request)
    auth = request.scope.get("auth") or {}
    if not auth.get("mfa_pending"):
        return Redirect("/", status_code=303)
    raw = await form_dict(request)
    step = totp.verify(user.totp_secret, str(raw.get("code", "")), user.totp_last_step)
    a = actor(request)
    if step is None:
        failures = user.failed_logins + 1
        await User.update({User.failed_logins: failures}).where(User.id == user.id)
        await audit.record("totp_failed", "user", user.id, user_id=user.id, address=a.address)
        if failures >= accounts.LOCK_AFTER:
            await accounts.lock(user.id)
            return Redirect("/login", status_code=303)
        return Template(
            "account/totp_code.html",
            status_code=400,
            context={"error": "Code incorrect ou expiré."},
        )
    await User.update({User.totp_last_step: step, User.failed_logins: 0}).where(User.id == user.id)
    await accounts.revoke_session(request.cookies.get(SESSION_COOKIE, ""))
    token, _ = await accounts.create_session(user.id)
    await audit.record(
        "login", "user", user.id, user_id=user.id, fields=["totp"], address=a.address
    )
    response = Redirect("/partner" if user.role == "partner" else "/", status_code=303)
    response.cookies.append(_cookie(request, SESSION_COOKIE, token))
    return response


def _setup_context(request: Request, secret: str, error: str | None = None) -> dict:
    user = current_user(request)
    return {
        "secret": secret,
        "signature": _signature(request, secret),
        "error": error,
        "uri": totp.provisioning_uri(secret, user.email),
        "grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "enabled": bool(user.totp_secret),
        "required": user.role == "admin",
    }


@get("/account/totp", guards=[authenticated])
async def setup_page(request: Request) -> Template:
    return Template("account/totp_setup.html", context=_setup_context(request, totp.new_secret()))


@post("/account/totp", guards=[authenticated])
async def setup_confirm(request: Request) -> Response:
    raw = await form_dict(request)
    secret = str(raw.get("secret", ""))
    if not hmac.compare_digest(_signature(request, secret), str(raw.get("signature", ""))):
        raise ClientException("formulaire altéré : rechargez la page")
    step = totp.verify(secret, str(raw.get("code", "")))
    if step is None:
        return Template(
            "account/totp_setup.html",
            status_code=422,
            context=_setup_context(
                request,
                secret,
                "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.",
            ),
        )
    user = current_user(request)
    await User.update({User.totp_secret: secret, User.totp_last_step: step}).where(
        User.id == user.id
    )
    a = actor(request)
    await audit.record("totp_enabled", "user", user.id, user_id=user.id, address=a.address)
    return Redirect("/", status_code=303)


ROUTES = [code_page, code_check, setup_page, setup_confirm]
