"""Account administration: create, disable, reset (the new password is shown once)."""

from __future__ import annotations

import secrets

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tremplin.errors import NotFound
from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import PartnerOrganisation, User
from tremplin.models.accounts import ROLES
from tremplin.services import accounts, audit
from tremplin.services.clock import now
from tremplin.types import Choice, Field
from tremplin.web.auth import requires
from tremplin.web.formdata import form_dict
from tremplin.web.state import actor, app_context

ADMIN = requires("admin")


def _temporary_password() -> str:
    # Four groups of random letters: long enough for the policy, easy to read out.
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def user_fields(programmes: dict[str, str]) -> tuple[Field, ...]:
    return (
        Field("email", N_("Adresse électronique"), kind="email", required=True),
        Field("full_name", N_("Nom complet"), required=True),
        Field(
            "role",
            N_("Rôle"),
            kind="choice",
            required=True,
            choices=tuple(Choice(k, v) for k, v in ROLES.items()),
        ),
        Field("partner", N_("Structure partenaire (rôle partenaire)"), kind="int"),
        Field(
            "programmes",
            N_("Programmes (aucun : tous)"),
            kind="multichoice",
            choices=tuple(Choice(k, v) for k, v in programmes.items()),
        ),
    )


async def _context(request: Request, **extra) -> dict:
    host = app_context(request).host
    return {
        "users": await User.select(
            User.id,
            User.email,
            User.full_name,
            User.role,
            User.active,
            User.locked_until,
            User.can_see_sensitive,
            User.last_login,
            User.programmes,
            User.partner.name.as_alias("partner_name"),
        )
        .order_by(User.email)
        .output(load_json=True),
        "roles": ROLES,
        "partners": await PartnerOrganisation.select(
            PartnerOrganisation.id, PartnerOrganisation.name
        ),
        "fields": user_fields({k: p.name_fr for k, p in host.programmes.items()}),
        "values": {},
        "errors": {},
        "shown_password": None,
        "partner_fields": PARTNER_FIELDS,
        "partner_values": {},
        "partner_errors": {},
        **extra,
    }


@get("/admin/users", guards=[ADMIN])
async def users_page(request: Request) -> Template:
    return Template("admin/users.html", context=await _context(request))


@post("/admin/users", guards=[ADMIN])
async def user_create(request: Request) -> Response:
    raw = await form_dict(request)
    host = app_context(request).host
    try:
        values = validate(user_fields({k: p.name_fr for k, p in host.programmes.items()}), raw)
        if values["role"] == "partner" and not await PartnerOrganisation.exists().where(
            PartnerOrganisation.id == (values["partner"] or -1)
        ):
            raise FormErrors({"partner": "choisissez la structure du partenaire"})
        if await User.exists().where(User.email == values["email"].lower()):
            raise FormErrors({"email": "un compte existe déjà pour cette adresse"})
    except FormErrors as exc:
        return Template(
            "admin/users.html",
            status_code=422,
            context=await _context(request, values=raw, errors=exc.errors),
        )
    password = _temporary_password()
    user = await accounts.create_user(
        values["email"],
        values["full_name"],
        values["role"],
        password,
        partner_id=values["partner"] if values["role"] == "partner" else None,
        programmes=values["programmes"],
    )
    await User.update({User.must_change_password: True}).where(User.id == user.id)
    a = actor(request)
    await audit.record(
        "create", "user", user.id, user_id=a.user_id, fields=["role"], address=a.address
    )
    return Template(
        "admin/users.html",
        status_code=201,
        context=await _context(request, shown_password=(values["email"].lower(), password)),
    )


@post("/admin/users/{user_id:int}/reset", guards=[ADMIN])
async def user_reset(request: Request, user_id: FromPath[int]) -> Template:
    user = await User.select(User.email).where(User.id == user_id).first()
    if user is None:
        raise NotFound(user_id)
    password = _temporary_password()
    await accounts.set_password(user_id, password, must_change=True)
    a = actor(request)
    await audit.record("password_reset", "user", user_id, user_id=a.user_id, address=a.address)
    return Template(
        "admin/users.html",
        context=await _context(request, shown_password=(user["email"], password)),
    )


@post("/admin/users/{user_id:int}/active", guards=[ADMIN])
async def user_active(request: Request, user_id: FromPath[int]) -> Response:
    raw = await form_dict(request)
    if not await User.exists().where(User.id == user_id):
        raise NotFound(user_id)
    active = raw.get("active") == "1"
    a = actor(request)
    if user_id == a.user_id and not active:
        raise FormErrors({"active": "vous ne pouvez pas désactiver votre propre compte"})
    await accounts.set_active(user_id, active)
    await audit.record(
        "enable" if active else "disable", "user", user_id, user_id=a.user_id, address=a.address
    )
    return Redirect("/admin/users", status_code=303)


@post("/admin/users/{user_id:int}/sensitive", guards=[ADMIN])
async def user_sensitive(request: Request, user_id: FromPath[int]) -> Response:
    """Grant or withdraw the explicit permission to read sensitive fields."""
    raw = await form_dict(request)
    if not await User.exists().where(User.id == user_id):
        raise NotFound(user_id)
    granted = raw.get("granted") == "1"
    await User.update({User.can_see_sensitive: granted}).where(User.id == user_id)
    a = actor(request)
    await audit.record(
        "grant_sensitive" if granted else "revoke_sensitive",
        "user",
        user_id,
        user_id=a.user_id,
        address=a.address,
    )
    return Redirect("/admin/users", status_code=303)


PARTNER_FIELDS = (
    Field("name", N_("Nom de la structure"), required=True),
    Field(
        "kind",
        N_("Type"),
        kind="choice",
        required=True,
        choices=(
            Choice("mission_locale", N_("Mission Locale")),
            Choice("sos_vc", N_("SOS Violences Conjugales")),
            Choice("siao", N_("SIAO")),
            Choice("other", N_("Autre")),
        ),
    ),
)


@post("/admin/partners", guards=[ADMIN])
async def partner_create(request: Request) -> Response:
    raw = await form_dict(request)
    try:
        values = validate(PARTNER_FIELDS, raw)
        if await PartnerOrganisation.exists().where(PartnerOrganisation.name == values["name"]):
            raise FormErrors({"name": "cette structure existe déjà"})
    except FormErrors as exc:
        return Template(
            "admin/users.html",
            status_code=422,
            context=await _context(request, partner_values=raw, partner_errors=exc.errors),
        )
    row = await PartnerOrganisation.insert(
        PartnerOrganisation(name=values["name"], kind=values["kind"], created_at=now())
    ).returning(PartnerOrganisation.id)
    a = actor(request)
    await audit.record("create", "partner", row[0]["id"], user_id=a.user_id, address=a.address)
    return Redirect("/admin/users#partners", status_code=303)


ROUTES = [users_page, user_create, user_reset, user_active, user_sensitive, partner_create]
