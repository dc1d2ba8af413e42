"""Time-based one-time passwords (RFC 6238, SHA-1, 6 digits, 30 s) for the second factor."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

__all__ = [
    "code_at",
    "match_recovery",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "qr_svg",
    "recovery_hash",
    "verify",
]

STEP = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def code_at(secret: str, step: int, digits: int = DIGITS) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def verify(secret: str, code: str, last_step: int = -1, now: float | None = None) -> int | None:
    """The time step ``code`` matches (one step of clock drift allowed either way), or
    ``None``. A step at or before ``last_step`` is refused so a code cannot be replayed."""
    code = "".join(c for c in code if c.isdigit())
    if len(code) != DIGITS or not secret:
        return None
    current = int((time.time() if now is None else now) // STEP)
    for step in (current - 1, current, current + 1):
        if step > last_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, email: str, issuer: str = "Tremplin") -> str:
    """The ``otpauth://`` address an authenticator app reads (typed or scanned)."""
    label = quote(f"{issuer}:{email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}"


RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Fresh one-time recovery codes (``xxxxx-xxxxx``, about 50 bits each), shown once."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code (case, spaces and dashes ignored)."""
    normalised = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(f"tremplin-recovery:{normalised}".encode()).hexdigest()


def match_recovery(code: str, hashes: list[str]) -> str | None:
    """The stored hash ``code`` matches (to be consumed), or ``None``."""
    candidate = recovery_hash(code)
    if len("".join(c for c in code if c.isalnum())) != 10:
        return None
    for stored in hashes:
        if hmac.compare_digest(stored, candidate):
            return stored
    return None


def qr_svg(uri: str) -> str:
    """The ``otpauth://`` address as an inline SVG QR code (segno, offline)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
