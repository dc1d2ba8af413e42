"""Accounts: password policy, lockout, throttling, session expiry and revocation, resets."""

import datetime as dt
import re

import httpx

from tests.conftest import TEST_PASSWORD, login
from tremplin.models import LoginAttempt, User, UserSession
from tremplin.services import accounts
from tremplin.services.clock import now


def test_password_policy_in_french():
    assert (
        accounts.check_password_policy("court")
        == "le mot de passe doit faire au moins 14 caractères"
    )
    assert "trop courant" in accounts.check_password_policy("motdepasse1234")
    assert "trop courant" in accounts.check_password_policy("aaaaaaaaaaaaaaaa")
    assert "identifiant" in accounts.check_password_policy(
        "claire.martin-2024!", "claire.martin@asso.fr"
    )
    assert accounts.check_password_policy("cheval pluie agrafe horizon") is None


def test_passwords_are_argon2id_with_46_mib():
    encoded = accounts.hash_password("cheval pluie agrafe horizon")
    assert encoded.startswith("$argon2id$") and "m=47104" in encoded


async def _post_login(client, email, password):
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    return await client.post("/login", data={"_csrf": token, "email": email, "password": password})


async def test_failures_slow_the_account_down_progressively(client, users):
    """S1: no 30-minute lock anyone can trigger: each failure past the fifth doubles a short
    wait, attempts during the wait are refused without lengthening it, and the owner's open
    sessions stay open."""
    owner = httpx.AsyncClient(transport=client._transport, base_url="http://owner.local")
    await login(owner, "social_worker@test.fr")
    for _ in range(accounts.FREE_FAILURES - 1):
        assert (
            await _post_login(client, "social_worker@test.fr", "wrong password!!")
        ).status_code == 400
    row = await User.select(User.locked_until).where(User.email == "social_worker@test.fr").first()
    assert row["locked_until"] is None  # the first failures cost nothing
    await _post_login(client, "social_worker@test.fr", "wrong password!!")
    row = (
        await User.select(User.locked_until, User.failed_logins)
        .where(User.email == "social_worker@test.fr")
        .first()
    )
    assert row["failed_logins"] == accounts.FREE_FAILURES
    assert dt.timedelta(0) < row["locked_until"] - now() <= dt.timedelta(seconds=1)
    # During the wait even the right password is refused, with the same answer, uncounted.
    waiting = await _post_login(client, "social_worker@test.fr", TEST_PASSWORD)
    assert waiting.status_code == 400 and "patientez" in waiting.text
    assert (
        await User.select(User.failed_logins).where(User.email == "social_worker@test.fr").first()
    )["failed_logins"] == accounts.FREE_FAILURES
    assert (await owner.get("/households")).status_code == 200  # not logged out
    await User.update({User.locked_until: now() - dt.timedelta(seconds=1)}).where(
        User.email == "social_worker@test.fr"
    )
    await _post_login(client, "social_worker@test.fr", "wrong password!!")
    row = await User.select(User.locked_until).where(User.email == "social_worker@test.fr").first()
    assert dt.timedelta(seconds=1) < row["locked_until"] - now() <= dt.timedelta(seconds=2)
    await User.update({User.locked_until: now() - dt.timedelta(seconds=1)}).where(
        User.email == "social_worker@test.fr"
    )
    assert (await _post_login(client, "social_worker@test.fr", TEST_PASSWORD)).status_code == 303
    await owner.aclose()


def test_the_wait_is_capped():
    assert accounts.failure_delay(accounts.FREE_FAILURES - 1) is None
    assert accounts.failure_delay(accounts.FREE_FAILURES + 3) == dt.timedelta(seconds=8)
    assert accounts.failure_delay(1000) == dt.timedelta(seconds=accounts.MAX_DELAY_SECONDS)


async def test_every_login_path_verifies_one_password_hash(users, monkeypatch):
    """S1: the time to answer does not tell an unknown, disabled, slowed-down or ordinary
    account apart: each path verifies exactly one Argon2 hash (about 50 ms; the rest is a
    millisecond of SQL)."""
    calls = []
    real = accounts._hasher

    class Counting:
        def verify(self, encoded, password):
            calls.append(encoded)
            return real.verify(encoded, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    await User.update({User.active: False}).where(User.email == "technician@test.fr")
    await User.update({User.locked_until: now() + dt.timedelta(minutes=1)}).where(
        User.email == "rental_manager@test.fr"
    )
    for email in (
        "nobody@test.fr",
        "technician@test.fr",
        "rental_manager@test.fr",
        "social_worker@test.fr",
    ):
        calls.clear()
        result = await accounts.authenticate(email, "wrong password!!")
        assert result.user is None and len(calls) == 1, email
    calls.clear()
    assert (await accounts.authenticate("head_of_service@test.fr", TEST_PASSWORD)).user
    assert len(calls) == 1


async def test_tokens_of_a_locked_account_are_refused(client, users):
    token = await accounts.create_api_token(users["social_worker"].id)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/households", headers=headers)).status_code == 200
    await User.update({User.locked_until: now() + dt.timedelta(seconds=30)}).where(
        User.id == users["social_worker"].id
    )
    assert (await client.get("/api/households", headers=headers)).status_code == 401
    await User.update({User.locked_until: now() - dt.timedelta(seconds=1)}).where(
        User.id == users["social_worker"].id
    )
    assert (await client.get("/api/households", headers=headers)).status_code == 200


def test_breached_and_demo_passwords_are_refused():
    """S3: the offline list (≥ 100,000 breached passwords of 14+ characters) and the demo's."""
    import lzma
    from pathlib import Path

    import tremplin

    path = Path(tremplin.__file__).parent / "data" / "breached-passwords.txt.xz"
    assert len(lzma.decompress(path.read_bytes()).splitlines()) >= 100_000
    assert path.stat().st_size < 1_500_000
    for password in (
        "password1234567",
        "qwertyuiopasdfgh",
        "iloveyou12345678",
        "ILoveYou12345678",
        "tremplin-demo-2024",
    ):
        assert accounts.check_password_policy(password) is not None, password
    assert "démonstration" in accounts.check_password_policy("tremplin-demo-2024")
    assert accounts.check_password_policy("cheval pluie agrafe horizon") is None


async def test_the_demo_password_opens_nothing_in_production(users):
    from tremplin.demo import DEMO_PASSWORD

    await User.update({User.password_hash: accounts.hash_password(DEMO_PASSWORD)}).where(
        User.email == "social_worker@test.fr"
    )
    assert (await accounts.authenticate("social_worker@test.fr", DEMO_PASSWORD)).user
    refused = await accounts.authenticate("social_worker@test.fr", DEMO_PASSWORD, production=True)
    assert refused.user is None


async def test_an_address_with_too_many_failures_is_throttled(client, users):
    await LoginAttempt.insert(
        *[
            LoginAttempt(address="127.0.0.1", at=now(), success=False)
            for _ in range(accounts.THROTTLE_LIMIT)
        ]
    )
    response = await _post_login(client, "admin@test.fr", TEST_PASSWORD)
    assert response.status_code == 429 and "Trop de tentatives" in response.text
    assert await UserSession.count() == 0


async def test_login_gives_a_new_session_and_idle_sessions_expire(client, users):
    await login(client, "social_worker@test.fr")
    first = await UserSession.select(UserSession.token_hash).first()
    await login(client, "social_worker@test.fr")
    tokens = await UserSession.select(UserSession.token_hash)
    assert len(tokens) == 2 and first in tokens  # a new id each login, never the old one reused
    await UserSession.update({UserSession.last_seen: now() - dt.timedelta(minutes=31)}).where(
        UserSession.id > 0
    )
    assert (await client.get("/households")).status_code == 303
    assert await UserSession.count() == 1  # the expired one was deleted when presented


async def test_absolute_session_limit(client, users):
    await login(client, "social_worker@test.fr")
    await UserSession.update({UserSession.created_at: now() - dt.timedelta(hours=13)}).where(
        UserSession.id > 0
    )
    assert (await client.get("/households")).status_code == 303


async def test_reading_pages_writes_no_session_row(client, users):
    await login(client, "social_worker@test.fr")
    before = await UserSession.select(UserSession.last_seen).first()
    for _ in range(5):
        await client.get("/households")
    await client.get("/login")  # anonymous-style page: no session written either
    assert await UserSession.select(UserSession.last_seen).first() == before
    assert await UserSession.count() == 1


async def test_disabling_a_user_revokes_sessions_and_tokens(app, client, users):
    await login(client, "social_worker@test.fr")
    token = await accounts.create_api_token(users["social_worker"].id)
    await accounts.set_active(users["social_worker"].id, False)
    assert (await client.get("/households")).status_code == 303
    api = await client.get("/api/households", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


async def test_admin_reset_forces_a_change_at_next_login(app, client, users):
    admin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 2)), base_url="http://t.local"
    )
    admin_csrf = await login(admin, "admin@test.fr")
    await login(client, "social_worker@test.fr")
    reset = await admin.post(
        f"/admin/users/{users['social_worker'].id}/reset", data={"_csrf": admin_csrf}
    )
    assert reset.status_code == 200
    temporary = re.search(r"<code>([^<]+)</code>", reset.text).group(1)
    assert (await client.get("/households")).status_code == 303  # old session revoked
    response = await _post_login(client, "social_worker@test.fr", temporary)
    assert response.headers["location"] == "/account/password"
    assert (await client.get("/households")).headers["location"] == "/account/password"
    page = await client.get("/account/password")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    weak = await client.post(
        "/account/password",
        data={
            "_csrf": csrf,
            "current": temporary,
            "new": "motdepasse1234",
            "confirm": "motdepasse1234",
        },
    )
    assert weak.status_code == 422 and "trop courant" in weak.text
    done = await client.post(
        "/account/password",
        data={
            "_csrf": csrf,
            "current": temporary,
            "new": "une phrase bien longue",
            "confirm": "une phrase bien longue",
        },
    )
    assert done.status_code == 303
    assert (await client.get("/households")).status_code == 200
    await admin.aclose()


async def test_admin_creates_an_account_with_a_one_time_password(app, users):
    admin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 2)), base_url="http://t.local"
    )
    csrf = await login(admin, "admin@test.fr")
    bad = await admin.post(
        "/admin/users",
        data={"_csrf": csrf, "email": "nouvelle@asso.fr", "full_name": "", "role": "social_worker"},
    )
    assert bad.status_code == 422 and 'value="nouvelle@asso.fr"' in bad.text
    made = await admin.post(
        "/admin/users",
        data={
            "_csrf": csrf,
            "email": "Nouvelle@asso.fr",
            "full_name": "Nina Nouvelle",
            "role": "social_worker",
            "programmes": "iml_sublease",
        },
    )
    assert made.status_code == 201 and "nouvelle@asso.fr" in made.text
    row = (
        await User.select(User.must_change_password, User.programmes)
        .where(User.email == "nouvelle@asso.fr")
        .output(load_json=True)
        .first()
    )
    assert row == {"must_change_password": True, "programmes": ["iml_sublease"]}
    await admin.aclose()


async def test_admin_grants_sensitive_access_and_adds_partners(app, users):
    from tremplin.models import PartnerOrganisation

    admin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 2)), base_url="http://t.local"
    )
    csrf = await login(admin, "admin@test.fr")
    worker = users["social_worker"].id
    assert (
        await admin.post(f"/admin/users/{worker}/sensitive", data={"_csrf": csrf, "granted": "1"})
    ).status_code == 303
    assert (await User.select(User.can_see_sensitive).where(User.id == worker).first())[
        "can_see_sensitive"
    ]
    bad = await admin.post("/admin/partners", data={"_csrf": csrf, "name": "", "kind": "siao"})
    assert bad.status_code == 422
    ok = await admin.post(
        "/admin/partners", data={"_csrf": csrf, "name": "SIAO du Gard", "kind": "siao"}
    )
    assert ok.status_code == 303
    assert await PartnerOrganisation.exists().where(PartnerOrganisation.name == "SIAO du Gard")
    await admin.aclose()


async def test_forged_or_expired_credentials_are_refused_and_audited(client, users):
    from tremplin.models import AuditEntry

    client.cookies.set("tremplin_session", "forged-value")
    assert (await client.get("/households")).headers["location"] == "/login"
    client.cookies.clear()
    token = await accounts.create_api_token(users["social_worker"].id)
    await accounts.set_active(users["social_worker"].id, False)  # revokes the token
    response = await client.get("/api/households", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "jeton" in response.json()["detail"]
    assert token not in response.text
    assert (await client.get("/households")).status_code == 303  # anonymous: not audited
    denied = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == "denied")
    assert [d["object_id"] for d in denied] == [401, 401]
