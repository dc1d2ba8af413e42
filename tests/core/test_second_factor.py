"""The second factor: RFC 6238 codes, the code page after the password, admin set-up."""

import re

from tests.conftest import TEST_PASSWORD, login
from tremplin.models import User, UserSession
from tremplin.services import totp
from tremplin.testing import TOTP_SECRET


def test_rfc_6238_vector():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # b"12345678901234567890"
    assert totp.code_at(secret, 59 // 30, digits=8) == "94287082"
    assert totp.code_at(secret, 1111111109 // 30, digits=8) == "07081804"
    assert totp.verify(secret, totp.code_at(secret, 40), now=40 * 30 + 5) == 40
    assert totp.verify(secret, totp.code_at(secret, 40), last_step=40, now=40 * 30 + 5) is None
    assert totp.verify(secret, "12345", now=0) is None


async def _password_step(client, email):
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    return await client.post(
        "/login", data={"_csrf": token, "email": email, "password": TEST_PASSWORD}
    )


async def test_password_alone_only_opens_the_code_page(client, users):
    response = await _password_step(client, "admin@test.fr")
    assert response.headers["location"] == "/login/totp"
    assert (await client.get("/households")).headers["location"] == "/login/totp"
    assert (await client.get("/api/households")).status_code == 403
    page = await client.get("/login/totp")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    wrong = await client.post("/login/totp", data={"_csrf": token, "code": "000000"})
    assert wrong.status_code == 400 and "Code incorrect" in wrong.text
    await login(client, "admin@test.fr")  # answers the code page with a valid code
    assert (await client.get("/households")).status_code == 200
    complete = await UserSession.count().where(UserSession.mfa_pending == False)  # noqa: E712
    assert complete == 1


async def test_a_code_cannot_be_replayed(client, users):
    await login(client, "admin@test.fr")
    used = await User.select(User.totp_last_step).where(User.email == "admin@test.fr").first()
    code = totp.code_at(TOTP_SECRET, used["totp_last_step"])
    await client.post(
        "/logout", headers={"X-CSRF-Token": "x"}
    )  # refused (bad token): still logged in
    other = client.__class__(transport=client._transport, base_url="http://t2.local")
    await _password_step(other, "admin@test.fr")
    page = await other.get("/login/totp")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    replay = await other.post("/login/totp", data={"_csrf": token, "code": code})
    assert replay.status_code == 400
    await other.aclose()


async def test_admin_without_second_factor_must_set_it_up(client, users):
    await User.update({User.totp_secret: ""}).where(User.email == "admin@test.fr")
    await _password_step(client, "admin@test.fr")
    assert (await client.get("/admin/users")).headers["location"] == "/account/totp"
    page = await client.get("/account/totp")
    secret = re.search(r'name="secret" value="([^"]+)"', page.text).group(1)
    signature = re.search(r'name="signature" value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    forged = await client.post(
        "/account/totp",
        data={
            "_csrf": csrf,
            "secret": "AAAAAAAAAAAAAAAA",
            "signature": signature,
            "code": "123456",
        },
    )
    assert forged.status_code == 400
    bad = await client.post(
        "/account/totp",
        data={"_csrf": csrf, "secret": secret, "signature": signature, "code": "000000"},
    )
    assert bad.status_code == 422
    import time

    ok = await client.post(
        "/account/totp",
        data={
            "_csrf": csrf,
            "secret": secret,
            "signature": signature,
            "code": totp.code_at(secret, int(time.time() // 30)),
        },
    )
    assert ok.status_code == 200 and "Codes de secours" in ok.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", ok.text)
    assert len(codes) == totp.RECOVERY_CODES == len(set(codes))
    assert (await client.get("/admin/users")).status_code == 200
    saved = (
        await User.select(User.totp_secret, User.totp_recovery)
        .where(User.email == "admin@test.fr")
        .output(load_json=True)
        .first()
    )
    assert saved["totp_secret"] == secret
    # Only hashes are kept: no code in clear in the database.
    assert len(saved["totp_recovery"]) == 10 and not set(codes) & set(saved["totp_recovery"])


def _setup_form(page) -> dict:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)
        for name in ("_csrf", "secret", "signature")
    }


def _now_code(secret: str, offset: int = 0) -> str:
    import time

    return totp.code_at(secret, int(time.time() // 30) + offset)


async def test_setup_page_shows_a_qr_code(client, users):
    await login(client, "social_worker@test.fr")
    page = await client.get("/account/totp")
    assert page.status_code == 200
    assert '<svg width="' in page.text and 'class="segno"' in page.text
    assert "otpauth://totp/" in page.text


async def test_changing_the_second_factor_asks_for_the_password_or_a_code(client, users):
    """S2: an open session alone cannot replace or remove the second factor."""
    await login(client, "admin@test.fr")
    form = _setup_form(await client.get("/account/totp"))
    new_code = _now_code(form["secret"])
    stolen = await client.post("/account/totp", data={**form, "code": new_code})
    assert stolen.status_code == 422 and "mot de passe actuel" in stolen.text
    wrong = await client.post(
        "/account/totp", data={**form, "code": new_code, "current": "pas le bon mot de passe"}
    )
    assert wrong.status_code == 422
    kept = await User.select(User.totp_secret).where(User.email == "admin@test.fr").first()
    assert kept["totp_secret"] == TOTP_SECRET
    ok = await client.post(
        "/account/totp", data={**form, "code": new_code, "current": TEST_PASSWORD}
    )
    assert ok.status_code == 200 and "Codes de secours" in ok.text
    saved = await User.select(User.totp_secret).where(User.email == "admin@test.fr").first()
    assert saved["totp_secret"] == form["secret"]


async def test_removing_the_second_factor_asks_for_a_current_code(client, users):
    await User.update({User.totp_secret: TOTP_SECRET}).where(User.email == "social_worker@test.fr")
    await login(client, "social_worker@test.fr")
    page = await client.get("/account/totp")
    csrf = _setup_form(page)["_csrf"]
    refused = await client.post("/account/totp/remove", data={"_csrf": csrf, "current": ""})
    assert refused.status_code == 422
    assert (
        await User.select(User.totp_secret).where(User.email == "social_worker@test.fr").first()
    )["totp_secret"] == TOTP_SECRET
    done = await client.post(
        "/account/totp/remove", data={"_csrf": csrf, "current": _now_code(TOTP_SECRET, 1)}
    )
    assert done.status_code == 303
    assert (
        await User.select(User.totp_secret).where(User.email == "social_worker@test.fr").first()
    )["totp_secret"] == ""


async def test_admins_cannot_remove_the_second_factor(client, users):
    csrf = await login(client, "admin@test.fr")
    refused = await client.post(
        "/account/totp/remove", data={"_csrf": csrf, "current": TEST_PASSWORD}
    )
    assert refused.status_code == 422 and "obligatoire pour les administrateurs" in refused.text


async def test_a_recovery_code_opens_one_session_once(client, users):
    await User.update({User.totp_recovery: [totp.recovery_hash("abcde-fghjk")]}).where(
        User.email == "admin@test.fr"
    )
    for expected in (303, 400):
        await _password_step(client, "admin@test.fr")
        page = await client.get("/login/totp")
        token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
        answer = await client.post("/login/totp", data={"_csrf": token, "code": "ABCDE FGHJK"})
        assert answer.status_code == expected
        if expected == 303:
            assert (await client.get("/households")).status_code == 200
    left = (
        await User.select(User.totp_recovery)
        .where(User.email == "admin@test.fr")
        .output(load_json=True)
        .first()
    )
    assert left["totp_recovery"] == []
