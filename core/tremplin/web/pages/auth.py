"""Login and logout."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from tremplin.services import accounts, audit
from tremplin.web.auth import (
    PRE_COOKIE,
    SESSION_COOKIE,
    anonymous_csrf,
    authenticated,
    new_pre_token,
)
from tremplin.web.state import app_context, client_address

LOGIN_FAILED = (
    "Adresse ou mot de passe incorrect, ou trop de tentatives récentes sur ce compte : "
    "patientez quelques instants avant de réessayer."
)
THROTTLED = "Trop de tentatives de connexion depuis cette adresse : réessayez dans 15 minutes."


def session_cookie(request: Request, key: str, value: str, **extra) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        httponly=True,
        samesite="lax",
        path="/",
        secure=app_context(request).settings.cookies_secure,
        **extra,
    )


def _login_page(request: Request, status: int = 200, **context) -> Template:
    pre = request.cookies.get(PRE_COOKIE) or new_pre_token()
    response = Template(
        "login.html",
        context={"login_csrf": anonymous_csrf(request, pre), **context},
        status_code=status,
    )
    response.cookies.append(session_cookie(request, PRE_COOKIE, pre))
    return response


@get("/login", exclude_from_auth=True, name="login")
async def login_page(request: Request) -> Template:
    return _login_page(request)


@post("/login", exclude_from_auth=True)
async def login(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email", ""))[:254]
    address = client_address(request)
    if await accounts.throttled(address):
        await audit.record("login_throttled", "user", None, address=address)
        return _login_page(request, status=429, error=THROTTLED, email=email)
    result = await accounts.authenticate(
        email,
        str(form.get("password", ""))[:1024],
        production=app_context(request).settings.production,
    )
    await accounts.record_attempt(address, result.user is not None)
    if result.user is None:
        # The audit keeps no e-mail typed by an unknown visitor: only the failure and address.
        await audit.record("login_failed", "user", None, address=address)
        return _login_page(request, status=400, error=LOGIN_FAILED, email=email)
    if result.user.totp_secret:
        token, _ = await accounts.create_session(result.user.id, mfa_pending=True)
        target = "/login/totp"
    else:
        token, _ = await accounts.create_session(result.user.id)
        await audit.record("login", "user", result.user.id, user_id=result.user.id, address=address)
        target = "/partner" if result.user.role == "partner" else "/"
        if result.user.must_change_password:
            target = "/account/password"
    response = Redirect(target, status_code=303)
    response.cookies.append(session_cookie(request, SESSION_COOKIE, token))
    response.cookies.append(session_cookie(request, PRE_COOKIE, "", max_age=0))
    return response


@post("/logout", guards=[authenticated])
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await accounts.revoke_session(token)
    user = request.scope.get("user")
    await audit.record(
        "logout",
        "user",
        user.id if user else None,
        user_id=user.id if user else None,
        address=client_address(request),
    )
    response = Redirect("/login", status_code=303)
    response.cookies.append(session_cookie(request, SESSION_COOKIE, "", max_age=0))
    return response


ROUTES = [login_page, login, logout]
