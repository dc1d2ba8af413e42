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
from markupsafe import Markup

from tremplin.db import transaction
from tremplin.i18n import N_
from tremplin.models import User
from tremplin.services import accounts, audit, totp
from tremplin.web.auth import SESSION_COOKIE, authenticated
from tremplin.web.formdata import form_dict
from tremplin.web.pages.auth import session_cookie
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
        raise SecondFactorRequired(N_("code à usage unique requis"))
    user = connection.scope.get("user")
    if (
        user is not None
        and user.role == "admin"
        and not user.totp_secret
        and isinstance(auth, dict)
        and auth.get("kind") == "session"
        and path not in OPEN_BEFORE_SETUP
    ):
        raise SecondFactorSetupRequired(N_("double authentification à configurer"))


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
    code = str(raw.get("code", ""))[:64]
    step = totp.verify(user.totp_secret, code, user.totp_last_step)
    a = actor(request)
    if step is None and await _consume_recovery(user, code):
        step = user.totp_last_step  # a recovery code stands for one code; nothing to replay
        await audit.record(
            "totp_recovery_used", "user", user.id, user_id=user.id, address=a.address
        )
    if step is None:
        failures = user.failed_logins + 1
        await accounts.register_failure(user.id, failures)
        await audit.record("totp_failed", "user", user.id, user_id=user.id, address=a.address)
        if failures >= accounts.FREE_FAILURES:
            # Someone who holds the password keeps failing the code: close this half-open
            # session, so the next try goes through the (now slowed) password step again.
            await accounts.revoke_session(request.cookies.get(SESSION_COOKIE, ""))
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
    response.cookies.append(session_cookie(request, SESSION_COOKIE, token))
    return response


async def _consume_recovery(user: User, code: str) -> bool:
    """Use up one recovery code of ``user`` (atomically: a code opens one session only)."""
    hashes = list(user.totp_recovery or [])
    matched = totp.match_recovery(code, hashes)
    if matched is None:
        return False
    async with transaction():
        row = (
            await User.select(User.totp_recovery)
            .where(User.id == user.id)
            .output(load_json=True)
            .first()
        )
        current = list(row["totp_recovery"] or []) if row else []
        if matched not in current:
            return False  # spent by a concurrent request
        current.remove(matched)
        await User.update({User.totp_recovery: current}).where(User.id == user.id)
    # Piccolo types a JSON column's attribute as str | dict; this one holds a list.
    user.totp_recovery = current  # type: ignore[assignment]
    return True


async def _proves_identity(request: Request, user: User, raw: dict) -> bool:
    """Whether the form's ``current`` field holds the account's password or a valid
    one-time code: changing or removing the second factor needs one or the other, not
    only an open session."""
    current = str(raw.get("current", ""))[:1024]
    if not current:
        return False
    step = totp.verify(user.totp_secret, current, user.totp_last_step)
    if step is not None:
        await User.update({User.totp_last_step: step}).where(User.id == user.id)
        return True
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    if row and accounts.verify_password(row["password_hash"], current):
        return True
    await accounts.register_failure(user.id, user.failed_logins + 1)
    return False


CURRENT_REQUIRED = (
    "Saisissez votre mot de passe actuel ou un code de votre application : "
    "la double authentification ne se modifie pas sans eux."
)


def _setup_context(request: Request, secret: str, error: str | None = None) -> dict:
    user = current_user(request)
    uri = totp.provisioning_uri(secret, user.email)
    return {
        "secret": secret,
        "signature": _signature(request, secret),
        "error": error,
        "uri": uri,
        "qr": Markup(totp.qr_svg(uri)),  # segno's own SVG: no user text inside
        "grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "enabled": bool(user.totp_secret),
        "required": user.role == "admin",
        "recovery_left": len(user.totp_recovery or []),
        "recovery_codes": None,
    }


@get("/account/totp", guards=[authenticated])
async def setup_page(request: Request) -> Template:
    return Template("account/totp_setup.html", context=_setup_context(request, totp.new_secret()))


@post("/account/totp", guards=[authenticated])
async def setup_confirm(request: Request) -> Response:
    raw = await form_dict(request)
    secret = str(raw.get("secret", ""))[:64]
    if not hmac.compare_digest(_signature(request, secret), str(raw.get("signature", ""))):
        raise ClientException(N_("formulaire altéré : rechargez la page"))
    user = current_user(request)
    errors = []
    if user.totp_secret and not await _proves_identity(request, user, raw):
        errors.append(CURRENT_REQUIRED)
    step = totp.verify(secret, str(raw.get("code", "")))
    if step is None:
        errors.append("Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    if errors:
        return Template(
            "account/totp_setup.html",
            status_code=422,
            context=_setup_context(request, secret, " ".join(errors)),
        )
    codes = totp.new_recovery_codes()
    await User.update(
        {
            User.totp_secret: secret,
            User.totp_last_step: step,
            User.totp_recovery: [totp.recovery_hash(c) for c in codes],
        }
    ).where(User.id == user.id)
    a = actor(request)
    action = "totp_changed" if user.totp_secret else "totp_enabled"
    await audit.record(action, "user", user.id, user_id=user.id, address=a.address)
    user.totp_secret = secret
    context = _setup_context(request, secret)
    context["recovery_codes"] = codes
    return Template("account/totp_setup.html", status_code=200, context=context)


@post("/account/totp/remove", guards=[authenticated])
async def remove(request: Request) -> Response:
    """Turn the second factor off (not for administrators, who must keep it)."""
    raw = await form_dict(request)
    user = current_user(request)
    if user.role == "admin":
        # A business rule, not an access refusal: the administrator's 2FA is mandatory.
        context = _setup_context(
            request,
            totp.new_secret(),
            "La double authentification est obligatoire pour les administrateurs.",
        )
        return Template("account/totp_setup.html", status_code=422, context=context)
    if not user.totp_secret:
        return Redirect("/account/totp", status_code=303)
    if not await _proves_identity(request, user, raw):
        context = _setup_context(request, totp.new_secret(), CURRENT_REQUIRED)
        return Template("account/totp_setup.html", status_code=422, context=context)
    await User.update({User.totp_secret: "", User.totp_last_step: 0, User.totp_recovery: []}).where(
        User.id == user.id
    )
    a = actor(request)
    await audit.record("totp_disabled", "user", user.id, user_id=user.id, address=a.address)
    return Redirect("/account/totp", status_code=303)


ROUTES = [code_page, code_check, setup_page, setup_confirm, remove]
