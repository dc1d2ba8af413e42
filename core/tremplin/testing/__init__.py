"""Testing kit for Tremplin plugins: fixtures (see :mod:`tremplin.testing.plugin`, loaded by
pytest automatically) and helpers that build data through the core's own services, so the
data obeys the same rules as in the application.

```python
from tremplin.testing import enrol, login, make_household, make_user, move


async def test_admission(tremplin_client, tremplin_host):
    worker = await make_user("social_worker")
    session = await login(tremplin_client, worker)
    household = await make_household("MARTIN Lucas")
    enrolment = await enrol(tremplin_host, household, "hostel", prescriber="siao")
    assert await move(tremplin_host, enrolment, "admit", decision_date="2025-01-10") == "admitted"
    page = await session.get(f"/households/{household}")
    assert "Admis" in page.text
```

Every helper is async and needs the database of the test (``tremplin_client`` or
``tremplin_database``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from typing import Any

import httpx

from tremplin.plugins import PluginHost

__all__ = [
    "TEST_PASSWORD",
    "TOTP_SECRET",
    "Session",
    "enrol",
    "login",
    "make_household",
    "make_user",
    "move",
    "partner_share",
]

#: The password of every account :func:`make_user` creates.
TEST_PASSWORD = "correct-horse-battery-staple"
#: The second-factor secret of the administrators :func:`make_user` creates (they must use one).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
_serial = itertools.count(1)
_hash: dict[str, str] = {}


def _actor(user_id: int | None = None) -> Any:
    from tremplin.errors import Actor

    return Actor(user_id=user_id, address="tests")


async def make_user(
    role: str,
    *,
    email: str | None = None,
    name: str | None = None,
    programmes: list[str] | None = None,
    partner_kind: str = "mission_locale",
) -> Any:
    """A user of ``role`` with the password :data:`TEST_PASSWORD` (an administrator also
    gets the second factor :data:`TOTP_SECRET`). A partner belongs to a new partner
    organisation of ``partner_kind``; ``programmes`` restricts a staff member to those."""
    from tremplin.models import PartnerOrganisation, User
    from tremplin.services.accounts import create_user, hash_password
    from tremplin.services.clock import now

    if "hash" not in _hash:  # argon2 is slow on purpose: hash the test password once
        _hash["hash"] = hash_password(TEST_PASSWORD)
    n = next(_serial)
    partner_id = None
    if role == "partner":
        row = await PartnerOrganisation.insert(
            PartnerOrganisation(name=f"Partenaire {n}", kind=partner_kind, created_at=now())
        ).returning(PartnerOrganisation.id)
        partner_id = row[0]["id"]
    user = await create_user(
        email or f"{role}.{n}@tests.tremplin.fr",
        name or f"{role} {n}",
        role,
        password_hash=_hash["hash"],
        partner_id=partner_id,
        programmes=programmes,
    )
    if role == "admin":
        await User.update({User.totp_secret: TOTP_SECRET}).where(User.id == user.id)
        user.totp_secret = TOTP_SECRET
    return user


class Session:
    """A logged-in client: ``post`` adds the CSRF token like the browser does."""

    def __init__(self, client: httpx.AsyncClient, csrf: str, user: Any) -> None:
        self.client = client
        self.csrf = csrf
        self.user = user

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.client.get(url, **kw)

    async def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return await self.client.post(url, data={"_csrf": self.csrf, **(data or {})}, **kw)


async def _second_factor(client: httpx.AsyncClient, email: str) -> None:
    from tremplin.models import User
    from tremplin.services import totp

    user = (
        await User.select(User.totp_secret, User.totp_last_step).where(User.email == email).first()
    )
    assert user is not None, f"pas de compte {email}"
    page = await client.get("/login/totp")
    found = _CSRF.search(page.text)
    assert found, "pas de formulaire sur /login/totp"
    token = found.group(1)
    step = max(int(time.time() // totp.STEP), user["totp_last_step"] + 1)
    await client.post(
        "/login/totp", data={"_csrf": token, "code": totp.code_at(user["totp_secret"], step)}
    )


async def login(client: httpx.AsyncClient, user: Any, password: str = TEST_PASSWORD) -> Session:
    """Log ``user`` (a user or an e-mail address) in through the real form, answering the
    second-factor page when asked; returns a :class:`Session`."""
    email = user if isinstance(user, str) else user.email
    page = await client.get("/login")
    match = _CSRF.search(page.text)
    assert match, "pas de formulaire de connexion sur /login"
    response = await client.post(
        "/login", data={"_csrf": match.group(1), "email": email, "password": password}
    )
    assert response.status_code in (200, 303), response.text
    if response.headers.get("location") == "/login/totp":
        await _second_factor(client, email)
    home = await client.get("/households")
    found = _CSRF.search(home.text)
    assert found, f"{email} n'est pas connecté"
    return Session(client, found.group(1), user)


async def make_household(
    name: str = "MARTIN Lucas",
    *,
    first_name: str | None = None,
    birth_date: str | dt.date | None = None,
    by: Any = None,
    **fields: Any,
) -> int:
    """A household with its reference person (first name from ``name`` unless given);
    ``fields`` are household fields (``composition``, ``address``…). Returns its id."""
    from tremplin.services.households import create_household

    last, _, first = name.partition(" ")
    person: dict[str, Any] = {"first_name": first_name or first or "Camille", "last_name": last}
    if birth_date:
        person["birth_date"] = str(birth_date)
    return await create_household(_actor(getattr(by, "id", None)), {"name": name, **fields}, person)


async def enrol(
    host: PluginHost,
    household_id: int,
    programme: str,
    *,
    referral_date: str | dt.date | None = None,
    prescriber: str | None = None,
    by: Any = None,
    **fields: Any,
) -> int:
    """Orient ``household_id`` to ``programme`` (the referral date defaults to today, the
    prescriber to the programme's first); ``fields`` are the programme's declared fields.
    Returns the enrolment id."""
    from tremplin.services.clock import today
    from tremplin.services.enrolments import create_enrolment

    raw = {
        "referral_date": str(referral_date or today()),
        "prescriber": prescriber or host.programmes[programme].prescribers[0].value,
        **{k: str(v) if isinstance(v, dt.date) else v for k, v in fields.items()},
    }
    return await create_enrolment(
        host, _actor(getattr(by, "id", None)), household_id, programme, raw
    )


async def move(
    host: PluginHost, enrolment_id: int, transition: str, *, by: Any = None, **values: Any
) -> str:
    """Apply the workflow transition ``transition`` with the form ``values`` (dates as
    ``date`` or ISO text), as its form would; returns the new state. Raises the core's
    ``FormErrors`` when a field or a guard refuses."""
    from tremplin.models import Enrolment
    from tremplin.services.enrolments import apply_transition

    key = Enrolment.id
    version = await Enrolment.select(Enrolment.version).where(key == enrolment_id).first()
    if version is None:
        # i18n: developer (the testing kit, for plugin authors)
        raise LookupError(f"pas d'accompagnement n° {enrolment_id}")
    raw = {k: str(v) if isinstance(v, dt.date) else v for k, v in values.items()}
    return await apply_transition(
        host, _actor(getattr(by, "id", None)), enrolment_id, transition, raw, version["version"]
    )


async def partner_share(
    host: PluginHost,
    household_id: int,
    partner: Any,
    programme: str,
    groups: list[str] | tuple[str, ...] = ("identity",),
    *,
    consent_date: dt.date | None = None,
    consent_expires: dt.date | None = None,
    by: Any = None,
) -> int:
    """Share ``household_id`` under ``programme`` with ``partner`` (a partner user, or a
    partner organisation id) for the shareable ``groups``, with a written consent dated
    today and valid a year. Returns the share id."""
    from tremplin.services.clock import today
    from tremplin.services.shares import create_share

    organisation = partner if isinstance(partner, int) else partner.partner
    raw = {
        "partner": str(organisation),
        "programme": programme,
        "groups": list(groups),
        "consent_date": str(consent_date or today()),
        "consent_expires": str(consent_expires or today() + dt.timedelta(days=365)),
    }
    return await create_share(
        host, _actor(getattr(by, "id", None)), household_id, raw, host.programme_keys
    )
