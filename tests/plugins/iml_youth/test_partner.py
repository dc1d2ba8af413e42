"""Youth IML with the Mission Locale: the coordination page, the ``cej`` group shared with
a Mission Locale partner (never rent amounts), partner notes."""

import datetime as dt
import re

from tremplin.services.clock import today
from tremplin_plugins.housing import occupancy as occ
from tremplin_plugins.housing import stock
from tremplin_plugins.housing.ledger import run_rent_calls
from tremplin_plugins.iml_youth.agreement import update_cej

from tests.core.test_access import _login_partner
from tests.plugins.iml_youth.helpers import ACTOR, housed, young

PROGRAMMES = {"iml_youth": "IML jeunes"}


async def _rented(household_id: int, rent: str = "412,37") -> int:
    owner = await stock.create_owner(ACTOR, {"kind": "company", "name": "SCI Cévennes"})
    dwelling = await stock.create_dwelling(
        ACTOR,
        {
            "owner": str(owner),
            "address": "3 rue des Lilas",
            "postcode": "30100",
            "city": "Alès",
            "typology": "T1",
            "stock": "private",
            "status": "available",
            "programme": "iml_youth",
            "dpe_class": "D",
            "dpe_date": "2022-05-01",
        },
        PROGRAMMES,
    )
    occupancy = await occ.create_occupancy(
        ACTOR,
        dwelling,
        {
            "household": str(household_id),
            "kind": "agreement",
            "programme": "iml_youth",
            "start_date": "2024-02-01",
            "rent": rent,
            "charges": "20",
            "benefit": "0",
        },
        PROGRAMMES,
    )
    await run_rent_calls(ACTOR, dt.date(2024, 2, 1))
    return occupancy


async def test_coordination_page_lists_each_young_person_with_a_short_status(
    app, social_worker, users, host
):
    behind, enrolment_id = await housed(host, name="RETARD Léa")
    await update_cej(
        enrolment_id,
        {
            "ml_counsellor": "Mme Conseil",
            "cej_start": "2024-01-15",
            "cej_suspended": "on",
            "cej_suspended_on": "2024-03-01",
        },
        None,
        "",
    )
    await _rented(behind)
    await housed(host, name="AJOUR Tom")
    await young(host, name="ORIENTÉ Max")  # not yet admitted: not on the list
    page = await social_worker.get("/iml_youth/coordination")
    assert page.status_code == 200
    text = page.text
    assert "RETARD Léa" in text and "AJOUR Tom" in text and "ORIENTÉ Max" not in text
    row = re.search(r"RETARD Léa.*?</tr>", text, re.S).group(0)
    assert "suspendu depuis le 01/03/2024" in row and "en impayé" in row and "Mme Conseil" in row
    assert "à jour" in re.search(r"AJOUR Tom.*?</tr>", text, re.S).group(0)
    assert "412" not in text  # a status, never an amount
    partner, _ = await _login_partner(app)
    assert (await partner.get("/iml_youth/coordination")).status_code == 403
    await partner.aclose()


async def test_mission_locale_sees_the_cej_group_and_never_rent(app, social_worker, users, host):
    household_id, enrolment_id = await housed(host, ml_counsellor="Mme Conseil")
    await update_cej(
        enrolment_id,
        {
            "ml_counsellor": "Mme Conseil",
            "cej_start": "2024-01-15",
            "cej_end": "2025-01-14",
            "cej_allowance": "528",
            "commit_job_search": "on",
            "job_project": "CAP cuisine",
        },
        None,
        "",
    )
    await _rented(household_id)
    made = await social_worker.post(
        f"/households/{household_id}/shares",
        {
            "partner": str(users["partner"].partner),
            "programme": "iml_youth",
            "groups": ["identity", "cej", "shared_notes"],
            "consent_date": today().isoformat(),
            "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert made.status_code == 303, made.text
    partner, _ = await _login_partner(app)
    page = await partner.get(f"/partner/households/{household_id}")
    assert page.status_code == 200
    for shown in (
        "CAP cuisine",
        "Mme Conseil",
        "528,00 €",
        "14/01/2025",
        "Engagement : recherche active d&#39;emploi",
    ):
        assert shown in page.text or shown.replace("&#39;", "'") in page.text, shown
    assert "412" not in page.text and "Loyer" not in page.text
    assert "Date de validation SIAO" not in page.text  # not in the shared group
    # The Mission Locale may write notes in this programme.
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    note = await partner.post(
        f"/partner/households/{household_id}/notes",
        data={"body": "Entretien CEJ fait"},
        headers={"X-CSRF-Token": csrf},
    )
    assert note.status_code == 303
    assert "Entretien CEJ fait" in (await partner.get(f"/partner/households/{household_id}")).text
    staff_page = await social_worker.get(f"/households/{household_id}")
    assert "Entretien CEJ fait" in staff_page.text
    await partner.aclose()


async def test_the_cej_group_is_offered_only_for_the_youth_programme(host):
    from tremplin.services.shares import shareable_groups

    assert "cej" in [g.key for g in shareable_groups(host, "iml_youth")]
    assert "cej" not in [g.key for g in shareable_groups(host, "iml_sublease")]
