from tests.conftest import login


async def test_dashboard_after_login(client, users):
    await login(client, "social_worker@test.fr")
    page = await client.get("/")
    assert page.status_code == 200
    assert "Bonjour Test social_worker" in page.text
