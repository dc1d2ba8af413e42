"""The user's own account: changing one's password (forced after an administrator's reset)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Template

from tremplin.i18n import N_
from tremplin.services import accounts, audit
from tremplin.web.auth import SESSION_COOKIE, authenticated
from tremplin.web.formdata import form_dict
from tremplin.web.pages.auth import session_cookie
from tremplin.web.state import actor, current_user

ALLOWED_WHILE_FORCED = {"/account/password", "/logout"}


class PasswordChangeRequired(PermissionDeniedException):
    """The account must change its password before anything else."""


def password_change_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """App-wide: after an administrator's reset, only the password page is reachable."""
    user = connection.scope.get("user")
    if (
        user is not None
        and user.must_change_password
        and (connection.scope["path"] not in ALLOWED_WHILE_FORCED)
    ):
        raise PasswordChangeRequired(N_("changement de mot de passe obligatoire"))


@get("/account/password", guards=[authenticated])
async def password_page(request: Request) -> Template:
    return Template(
        "account/password.html",
        context={"errors": {}, "forced": current_user(request).must_change_password},
    )


@post("/account/password", guards=[authenticated])
async def password_change(request: Request) -> Response:
    raw = await form_dict(request)
    user = current_user(request)
    errors: dict[str, str] = {}
    current_ok = (await accounts.authenticate(user.email, str(raw.get("current", "")))).user
    if current_ok is None:
        errors["current"] = N_("mot de passe actuel incorrect")
    new = str(raw.get("new", ""))
    if new != str(raw.get("confirm", "")):
        errors["confirm"] = N_("les deux saisies ne correspondent pas")
    elif new == str(raw.get("current", "")):
        errors["new"] = N_("le nouveau mot de passe doit être différent de l'actuel")
    else:
        reason = accounts.check_password_policy(new, user.email)
        if reason:
            errors["new"] = reason
    if errors:
        return Template(
            "account/password.html",
            status_code=422,
            context={"errors": errors, "forced": user.must_change_password},
        )
    await accounts.set_password(user.id, new)  # revokes every session, this one included
    token, _ = await accounts.create_session(user.id)
    a = actor(request)
    await audit.record("password_change", "user", user.id, user_id=user.id, address=a.address)
    response = Redirect("/partner" if user.role == "partner" else "/", status_code=303)
    response.cookies.append(session_cookie(request, SESSION_COOKIE, token))
    return response


ROUTES = [password_page, password_change]
