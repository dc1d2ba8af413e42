"""Passwords, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tremplin.db import transaction
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
LOCK_AFTER = 6
LOCK_MINUTES = 30
TOUCH_EVERY = dt.timedelta(seconds=60)
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent.parent / "data" / "common-passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_password_policy(password: str, email: str = "") -> str | None:
    """French reason why a password is refused, or ``None``.

    CNIL 2022: length matters, composition rules do not; common or breached passwords and
    passwords built on the account's own address are refused. No forced rotation.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères"
    if len(password) > 256:
        return "le mot de passe est trop long (256 caractères au maximum)"
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return "ce mot de passe est trop courant : choisissez une phrase de passe personnelle"
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        return "le mot de passe ne doit pas contenir votre identifiant"
    return None


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
        raise ValueError(f"rôle inconnu : {role} (rôles : {', '.join(ROLES)})")
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


async def authenticate(email: str, password: str) -> AuthResult:
    """Check a login; counts failures and locks the account after :data:`LOCK_AFTER`.

    The caller shows the same message whatever went wrong, so the answer never reveals
    whether an account exists.
    """
    user = (
        await User.objects()
        .where(User.email == email.strip().lower())
        .output(load_json=True)
        .first()
    )
    if user is None or not user.active or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)  # same cost whether or not the user exists
        except VerificationError:
            pass
        return AuthResult(None)
    current = now()
    if user.locked_until and user.locked_until > current:
        return AuthResult(None, locked=True)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        failures = user.failed_logins + 1
        if failures >= LOCK_AFTER:
            await lock(user.id)
        else:
            await User.update({User.failed_logins: failures}).where(User.id == user.id)
        return AuthResult(None)
    await User.update(
        {User.failed_logins: 0, User.locked_until: None, User.last_login: current}
    ).where(User.id == user.id)
    return AuthResult(user)


async def lock(user_id: int) -> None:
    """Lock an account for :data:`LOCK_MINUTES` and close its sessions."""
    await User.update(
        {
            User.failed_logins: 0,
            User.locked_until: now() + dt.timedelta(minutes=LOCK_MINUTES),
        }
    ).where(User.id == user_id)
    await revoke_user_sessions(user_id)


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
    rows = await UserSession.raw(_SESSION_SQL, token_hash(token))
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
    if user is not None and (row["last_used"] is None or now() - row["last_used"] > TOUCH_EVERY):
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
