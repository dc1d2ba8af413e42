"""The second factor: RFC 6238 codes, the code page after the password, admin set-up."""

import re

from tests.conftest import TEST_PASSWORD, TOTP_SECRET, login
from tremplin.models import User, UserSession
from tremplin.services import totp


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
    assert ok.status_code == 303
    assert (await client.get("/admin/users")).status_code == 200
    saved = await User.select(User.totp_secret).where(User.email == "admin@test.fr").first()
    assert saved["totp_secret"] == secret
