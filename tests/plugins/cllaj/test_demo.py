"""The generic demo data (faked from the field declarations) renders every CLLAJ page."""

from tremplin.demo import load_demo
from tremplin.models import Enrolment
from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART


async def test_demo_households_and_reports_render(social_worker, host):
    await load_demo(host, households=40)
    rows = await Enrolment.select(Enrolment.household, Enrolment.programme).where(
        Enrolment.programme.is_in([BAIL, JAPPART, GLISSANT])
    )
    assert {r["programme"] for r in rows} == {BAIL, JAPPART, GLISSANT}
    for r in rows:
        page = await social_worker.get(f"/households/{r['household']}")
        assert page.status_code == 200
        assert "pas pu être affiché" not in page.text
    for programme in (BAIL, JAPPART, GLISSANT):
        report = await social_worker.get(f"/reports/{programme}/2024/json")
        assert report.status_code == 200
        assert all(s["error"] is None for c in report.json()["programmes"] for s in c["sections"])
    for url in ("/", "/cllaj/desk", "/cllaj/committees", "/cllaj/desk/workshops"):
        page = await social_worker.get(url)
        assert page.status_code == 200 and "pas pu être affiché" not in page.text
