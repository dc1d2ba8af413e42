"""Staff and partner accounts, sessions and personal API tokens."""

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from tremplin.i18n import N_

ROLES = {
    "admin": N_("Administrateur"),
    "head_of_service": N_("Chef de service"),
    "social_worker": N_("Travailleur social"),
    "rental_manager": N_("Gestionnaire locatif"),
    "technician": N_("Technicien / maîtresse de maison"),
    "dpo": N_("Archiviste / délégué à la protection des données"),
    "partner": N_("Partenaire"),
}


class PartnerOrganisation(Table, tablename="partner_organisation"):
    """A partner (Mission Locale, SOS Violences Conjugales, SIAO…) with its own users."""

    id: Serial

    name = Varchar(length=200, unique=True)
    kind = Varchar(length=50, default="other")
    created_at = Timestamptz()


class User(Table, tablename="tremplin_user"):
    """A person who logs in: staff of the association or a partner's worker."""

    id: Serial

    email = Varchar(length=254, unique=True, index=True)
    full_name = Varchar(length=200)
    role = Varchar(length=30, choices=None)
    partner = ForeignKey(PartnerOrganisation, null=True, on_delete=OnDelete.restrict)
    #: Programme keys this staff member works in (empty: every enabled programme).
    programmes = JSON(default=[])
    password_hash = Varchar(length=255, default="")
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    must_change_password = Boolean(default=False)
    #: Base32 TOTP secret once the second factor is set up (required for administrators).
    totp_secret = Varchar(length=64, default="")
    #: Last time step accepted, so that a one-time code cannot be used twice.
    totp_last_step = BigInt(default=0)
    #: SHA-256 hashes of the unused one-time recovery codes issued with the second factor.
    totp_recovery = JSON(default=[])
    #: Explicit permission to read fields marked sensitive (health, asylum, violence…).
    can_see_sensitive = Boolean(default=False)
    created_at = Timestamptz()
    last_login = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """A logged-in browser session; only a hash of the cookie value is stored."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    csrf_token = Varchar(length=64)
    #: Password checked, second factor not yet: only the code page is reachable.
    mfa_pending = Boolean(default=False)
    created_at = Timestamptz()
    last_seen = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """A personal API token (``Authorization: Bearer …``); only its hash is stored."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100, default="")
    created_at = Timestamptz()
    last_used = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    """Recent login attempts per address, for throttling (purged after a day)."""

    id: Serial

    address = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
    success = Boolean(default=False)
