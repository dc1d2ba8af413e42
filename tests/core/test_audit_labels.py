"""The audit trail speaks French (issue 16, point 5): every action and object the code
writes has a French label, the page shows them with Paris times, and only opening a
household or downloading its data counts as a read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tremplin.audit_labels import ACTIONS, OBJECTS, READ_ACTIONS, action_label, object_label
from tremplin.services import audit
from tremplin.services import households as hh
from tremplin.web.templating import datetime_fr

ROOT = Path(__file__).resolve().parents[2]
_CALL = re.compile(r'(?:audit\.record|write_audit|await audit)\(\s*"([a-z_]+)",\s*"([a-z_]+)"')


def _written() -> set[tuple[str, str]]:
    found = set()
    for folder in ("core/tremplin", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(_CALL.findall(path.read_text("utf-8")))
    return found


def test_every_action_and_object_written_has_a_french_label():
    written = _written()
    assert len(written) > 15  # the scan finds the calls
    missing = sorted({a for a, _ in written if a not in ACTIONS}) + sorted(
        {o for _, o in written if o not in OBJECTS}
    )
    assert missing == [], f"libellés manquants dans tremplin/audit_labels.py : {missing}"
    assert "list" not in READ_ACTIONS and "read" in READ_ACTIONS


def test_labels_and_paris_times():
    assert action_label("read") == "consultation"
    assert action_label("denied") == "accès refusé"
    assert object_label("household", 13) == "ménage n° 13"
    assert object_label("household_list", 2) == "liste de ménages (2 lignes)"
    winter = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 15, 23, 30, 5, tzinfo=dt.UTC)
    assert datetime_fr(winter) == "16/01/2026 00:30"
    assert datetime_fr(summer, seconds=True) == "16/07/2026 01:30:05"


async def test_audit_page_in_french(client, users):
    from tests.conftest import login

    household = await hh.create_household(
        hh.Actor(None), {"name": "JOURNAL Léa"}, {"first_name": "Léa", "last_name": "Journal"}
    )
    await audit.record("read", "household", household, user_id=users["head_of_service"].id)
    await login(client, "head_of_service@test.fr")
    page = await client.get("/admin/audit")
    assert page.status_code == 200
    assert "Date (heure de Paris)" in page.text
    assert f"ménage n° {household}" in page.text
    assert "<td>consultation</td>" in page.text
    assert "<td>read</td>" not in page.text and "UTC" not in page.text


async def test_who_read_the_file_lists_openings_not_list_sightings(client, users):
    from tests.conftest import login

    household = await hh.create_household(
        hh.Actor(None), {"name": "LECTURE Ana"}, {"first_name": "Ana", "last_name": "Lecture"}
    )
    await audit.record("list", "household", household, user_id=users["social_worker"].id)
    await login(client, "head_of_service@test.fr")
    await client.get(f"/households/{household}")
    page = await client.get(f"/households/{household}")  # lists the previous opening
    section = page.text.split('id="accesses"', 1)[1].split("</section>", 1)[0]
    assert "Test head_of_service" in section and "consultation" in section
    assert "Test social_worker" not in section  # only saw the name in a list
