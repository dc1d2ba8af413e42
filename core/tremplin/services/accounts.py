"""Passwords, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import lzma
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tremplin.db import raw, transaction
from tremplin.i18n import gettext
from tremplin.models import ApiToken, LoginAttempt, User, UserSession
from tremplin.models.accounts import ROLES
from tremplin.services.clock import now

__all__ = [
    "AuthResult",
    "authenticate",
    "create_api_token",
    "create_session",
    "create_user",
    "hash_password",
    "resolve_api_token",
    "resolve_session",
    "revoke_session",
]

# Argon2id with 46 MiB of memory: the CNIL 2022 recommendation's floor.
_hasher = PasswordHasher(time_cost=1, memory_cost=47_104, parallelism=1)
MIN_PASSWORD_LENGTH = 14
#: Failed logins (or one-time codes) allowed before each further attempt must wait.
FREE_FAILURES = 5
#: The wait doubles with each failure past :data:`FREE_FAILURES`, up to this many seconds.
MAX_DELAY_SECONDS = 300
TOUCH_EVERY = dt.timedelta(seconds=60)
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")
#: The published password of the demonstration accounts (``tremplin demo``).
DEMO_PASSWORD = "tremplin-demo-2024"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _breached_passwords() -> bytes:
    """The offline list of breached and common passwords (about 150,000 of 14+ characters),
    one per line between newlines; built by ``tools/build_breached_passwords.py``."""
    path = Path(__file__).parent.parent / "data" / "breached-passwords.txt.xz"
    return b"\n" + lzma.decompress(path.read_bytes()) + b"\n"


def is_breached(password: str) -> bool:
    """Whether ``password`` (case-insensitive) is in the breached-password list.

    A substring search over the decompressed list (a few MB) costs about a millisecond and
    keeps no set of 150,000 strings in every process.
    """
    needle = b"\n" + password.lower().encode("utf-8") + b"\n"
    return needle in _breached_passwords()


def check_password_policy(password: str, email: str = "") -> str | None:
    """French reason why a password is refused, or ``None``.

    CNIL 2022: length matters, composition rules do not; common or breached passwords, the
    published demo password and passwords built on the account's own address are refused.
    No forced rotation.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères"
    if len(password) > 256:
        return "le mot de passe est trop long (256 caractères au maximum)"
    lowered = password.lower()
    if lowered == DEMO_PASSWORD:
        return "ce mot de passe est celui, public, de la démonstration : choisissez-en un autre"
    if is_breached(lowered) or len(set(lowered)) <= 2:
        return (
            "ce mot de passe est trop courant ou a fuité lors d'un piratage : "
            "choisissez une phrase de passe personnelle"
        )
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        return "le mot de passe ne doit pas contenir votre identifiant"
    return None


def failure_delay(failures: int) -> dt.timedelta | None:
    """How long an account waits after its ``failures``-th consecutive failure (``None``:
    no wait). Progressive, so that a stranger cannot lock anyone out for long."""
    if failures < FREE_FAILURES:
        return None
    return dt.timedelta(seconds=min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES)))


async def register_failure(user_id: int, failures: int) -> None:
    """Count one more failed attempt (password or one-time code) and slow the account down.

    No session is closed: a stranger typing wrong passwords must not log the owner out.
    """
    delay = failure_delay(failures)
    await User.update(
        {
            User.failed_logins: failures,
            User.locked_until: now() + delay if delay else None,
        }
    ).where(User.id == user_id)


def is_locked(user: User | dict) -> bool:
    """Whether the account is waiting after failed attempts (its tokens are refused too)."""
    until = user["locked_until"] if isinstance(user, dict) else user.locked_until
    return until is not None and until > now()


THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_LIMIT = 20


async def throttled(address: str) -> bool:
    """Too many failed logins from this address recently (whatever the accounts tried)."""
    since = now() - THROTTLE_WINDOW
    failures = await LoginAttempt.count().where(
        (LoginAttempt.address == address)
        & (LoginAttempt.at >= since)
        & (LoginAttempt.success == False)  # noqa: E712
    )
    return failures >= THROTTLE_LIMIT


async def record_attempt(address: str, success: bool) -> None:
    await LoginAttempt.insert(LoginAttempt(address=address, at=now(), success=success))
    if success:
        await LoginAttempt.delete().where(LoginAttempt.at < now() - dt.timedelta(days=1))


async def create_user(
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
    *,
    password_hash: str | None = None,
    partner_id: int | None = None,
    programmes: list[str] | None = None,
) -> User:
    if role not in ROLES:
        raise ValueError(
            gettext("rôle inconnu : {role} (rôles : {roles})").format(
                role=role, roles=", ".join(ROLES)
            )
        )
    if password is not None:
        reason = check_password_policy(password, email)
        if reason:
            raise ValueError(reason)
        password_hash = hash_password(password)
    user = User(
        email=email.strip().lower(),
        full_name=full_name,
        role=role,
        partner=partner_id,
        programmes=programmes or [],
        password_hash=password_hash or "",
        created_at=now(),
    )
    await user.save()
    return user


@dataclass
class AuthResult:
    user: User | None
    locked: bool = False


def verify_password(encoded: str, password: str) -> bool:
    """Whether ``password`` matches the stored Argon2 hash (``False`` for a broken hash)."""
    try:
        return _hasher.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(email: str, password: str, *, production: bool = False) -> AuthResult:
    """Check a login, counting failures and slowing the account down progressively.

    The caller shows the same message whatever went wrong, and every path verifies one
    Argon2 hash (the account's or a dummy one), so neither the answer nor its time reveals
    whether an account exists, is slowed down or is disabled. In ``production``, the
    published demo password never opens an account.
    """
    user = (
        await User.objects()
        .where(User.email == email.strip().lower())
        .output(load_json=True)
        .first()
    )
    usable = user is not None and user.active and bool(user.password_hash)
    matches = verify_password(
        user.password_hash if usable and user is not None else _DUMMY_HASH, password
    )
    if not usable:
        return AuthResult(None)
    assert user is not None  # usable implies a user
    if is_locked(user):
        # Refused whatever the password, and not counted: hammering does not lengthen the wait.
        return AuthResult(None, locked=True)
    if production and password == DEMO_PASSWORD:
        matches = False
    if not matches:
        await register_failure(user.id, user.failed_logins + 1)
        return AuthResult(None)
    await User.update(
        {User.failed_logins: 0, User.locked_until: None, User.last_login: now()}
    ).where(User.id == user.id)
    return AuthResult(user)


async def create_session(user_id: int, *, mfa_pending: bool = False) -> tuple[str, str]:
    """Open a session; returns (cookie token, CSRF token). Only the token's hash is stored.

    ``mfa_pending`` sessions (password checked, one-time code not yet) open only the
    code page.
    """
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    current = now()
    await UserSession.insert(
        UserSession(
            token_hash=token_hash(token),
            user=user_id,
            csrf_token=csrf,
            created_at=current,
            last_seen=current,
            mfa_pending=mfa_pending,
        )
    )
    return token, csrf


_SESSION_ALIASES = {
    "session_id": "id",
    "session_csrf": "csrf_token",
    "session_created": "created_at",
    "session_seen": "last_seen",
    "session_mfa": "mfa_pending",
}
_SESSION_SQL = (
    "SELECT s.id AS session_id, s.csrf_token AS session_csrf, s.created_at AS session_created, "
    "s.last_seen AS session_seen, s.mfa_pending AS session_mfa, u.* "
    'FROM user_session AS s JOIN tremplin_user AS u ON u.id = s."user" '
    "WHERE s.token_hash = {}"
)


async def resolve_session(
    token: str, idle: dt.timedelta, absolute: dt.timedelta
) -> tuple[User, str, bool] | None:
    """The user, CSRF token and "second factor pending" flag of a live session, or ``None``.

    Refreshes ``last_seen`` at most once a minute so that ordinary reads write nothing.
    """
    # One hand-written join: it runs on every request, and Piccolo's query building (two
    # selects, or one nested select) costs more CPU than SQLite answering it.
    rows = await raw.fetch(_SESSION_SQL, token_hash(token))
    if not rows:
        return None
    columns = dict(rows[0])
    row = {key: columns.pop(alias) for alias, key in _SESSION_ALIASES.items()}
    current = now()
    if (
        current - row["last_seen"] > idle
        or current - row["created_at"] > absolute
        or not columns["active"]
    ):
        await UserSession.delete().where(UserSession.id == row["id"])
        return None
    for column in User._meta.json_columns:
        name = column._meta.db_column_name
        if isinstance(columns.get(name), str):
            columns[name] = json.loads(columns[name])
    user = User(**columns, _exists_in_db=True)
    if current - row["last_seen"] > TOUCH_EVERY:
        await UserSession.update({UserSession.last_seen: current}).where(
            UserSession.id == row["id"]
        )
    return user, row["csrf_token"], row["mfa_pending"]


async def revoke_session(token: str) -> None:
    await UserSession.delete().where(UserSession.token_hash == token_hash(token))


async def revoke_user_sessions(user_id: int) -> None:
    await UserSession.delete().where(UserSession.user == user_id)


async def create_api_token(user_id: int, name: str = "") -> str:
    token = "tpl_" + secrets.token_urlsafe(32)
    await ApiToken.insert(
        ApiToken(token_hash=token_hash(token), user=user_id, name=name, created_at=now())
    )
    return token


async def resolve_api_token(token: str) -> User | None:
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used)
        .where((ApiToken.token_hash == token_hash(token)) & (ApiToken.revoked_at.is_null()))
        .first()
    )
    if row is None:
        return None
    user = (
        await User.objects()
        .where((User.id == row["user"]) & (User.active == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )
    if user is None or is_locked(user):
        return None  # a disabled or locked account's tokens are refused like a revoked one
    if row["last_used"] is None or now() - row["last_used"] > TOUCH_EVERY:
        await ApiToken.update({ApiToken.last_used: now()}).where(ApiToken.id == row["id"])
    return user


async def set_password(user_id: int, password: str, *, must_change: bool = False) -> None:
    """Set a password and revoke every session of the account.

    ``must_change`` (an administrator's reset) forces a change at the next login.
    """
    user = await User.select(User.email).where(User.id == user_id).first()
    reason = check_password_policy(password, user["email"] if user else "")
    if reason:
        raise ValueError(reason)
    async with transaction():
        await User.update(
            {
                User.password_hash: hash_password(password),
                User.must_change_password: must_change,
                User.failed_logins: 0,
                User.locked_until: None,
            }
        ).where(User.id == user_id)
        await revoke_user_sessions(user_id)


async def set_active(user_id: int, active: bool) -> None:
    """Disable (or re-enable) an account; disabling revokes its sessions and API tokens."""
    async with transaction():
        await User.update({User.active: active}).where(User.id == user_id)
        if not active:
            await revoke_user_sessions(user_id)
            await ApiToken.update({ApiToken.revoked_at: now()}).where(
                (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
            )
