"""The captation pipeline: owner contacted → captured with a head lease → in use → returned
with reason and notice; the page by stage with counts and filters; the read API for other
plugins (dwellings without their address)."""

import dataclasses

import pytest

from tests.plugins.housing.helpers import (
    ACTOR,
    PROGRAMMES,
    d,
    dwelling,
    household,
    occupancy,
    owner,
)
from tremplin.api import FormErrors
from tremplin.models import AuditEntry, User
from tremplin_housing import api as housing
from tremplin_housing import captation
from tremplin_housing import occupancy as occ
from tremplin_housing.tables import Dwelling, HeadLease, Occupancy, Vacancy

LEASE = {
    "kind": "head_lease",
    "start_date": "2024-03-01",
    "rent": "500",
    "charges": "40",
    "notice_months": "3",
}


async def prospect(owner_id: int | None = None, contacted_on: str = "2024-02-10", **values) -> int:
    form = {
        "owner": str(owner_id or await owner()),
        "address": "9 rue du Puits",
        "postcode": "30100",
        "city": "Alès",
        "typology": "T2",
        "programme": "iml_sublease",
        "contacted_on": contacted_on,
        **values,
    }
    return await captation.record_contact(ACTOR, form, PROGRAMMES)


async def status(dwelling_id: int) -> dict:
    return await Dwelling.select().where(Dwelling.id == dwelling_id).first()


async def test_a_contact_needs_its_date_and_lists_every_problem(database):
    owner_id = await owner()
    with pytest.raises(FormErrors) as caught:
        await captation.record_contact(
            ACTOR,
            {"owner": str(owner_id), "address": "", "city": "Alès", "typology": "T2"},
            PROGRAMMES,
        )
    assert caught.value.errors == {
        "contacted_on": "indiquez la date du contact avec le propriétaire",
        "address": "ce champ est obligatoire",
    }
    with pytest.raises(FormErrors) as caught:
        await prospect(owner_id, contacted_on="2099-01-01")
    assert caught.value.errors == {"contacted_on": "la date est dans le futur"}
    assert await Dwelling.count() == 0
    dwelling_id = await prospect(owner_id)
    row = await status(dwelling_id)
    assert (row["status"], row["contacted_on"], row["captured_on"]) == (
        "prospect",
        d("2024-02-10"),
        None,
    )


async def test_capture_writes_the_head_lease_once_and_checks_the_dates(database):
    dwelling_id = await prospect()
    with pytest.raises(FormErrors) as caught:
        await captation.capture(
            ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-02-01", "rent": "-3"}
        )
    assert caught.value.errors == {"rent": "le montant ne peut pas être négatif"}
    with pytest.raises(FormErrors) as caught:
        await captation.capture(ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-02-01"})
    assert caught.value.errors == {
        "captured_on": "la date de captation précède le premier contact (10/02/2024)"
    }
    with pytest.raises(FormErrors) as caught:
        await captation.capture(
            ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-03-01", "end_date": "2024-01-01"}
        )
    assert caught.value.errors == {"end_date": "la date de fin précède la date de début"}
    assert await HeadLease.count() == 0 and (await status(dwelling_id))["status"] == "prospect"
    await captation.capture(ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-03-01"})
    row = await status(dwelling_id)
    assert (row["status"], row["captured_on"], row["version"]) == ("available", d("2024-03-01"), 2)
    lease = await HeadLease.select().first()
    assert (
        lease["dwelling"],
        lease["rent_cents"],
        lease["charges_cents"],
        lease["notice_months"],
    ) == (dwelling_id, 50000, 4000, 3)
    # A second submission of the same form: refused, nothing more written.
    with pytest.raises(FormErrors) as caught:
        await captation.capture(ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-03-01"})
    assert "_capture" in caught.value.errors
    assert await HeadLease.count() == 1
    audits = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.object_type == "housing_dwelling") & (AuditEntry.object_id == dwelling_id)
    )
    assert [a["action"] for a in audits].count("capture") == 1


async def test_return_is_refused_while_occupied_then_ends_the_lease_and_the_vacancy(database):
    dwelling_id = await prospect()
    await captation.capture(ACTOR, dwelling_id, {**LEASE, "captured_on": "2024-03-01"})
    household_id = await household()
    occupancy_id = await occupancy(dwelling_id, household_id, "2024-04-01")
    assert (await status(dwelling_id))["status"] == "occupied"
    good = {
        "returned_on": "2024-09-30",
        "return_reason": "owner_takes_back",
        "notice_given_on": "2024-06-15",
        "notice_months": "3",
    }
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(ACTOR, dwelling_id, good)
    assert caught.value.errors == {
        "returned_on": "un ménage occupe encore ce logement : enregistrez d'abord sa sortie"
    }
    await occ.close_occupancy(ACTOR, occupancy_id, {"end_date": "2024-08-31", "exit_reason": "end"})
    # The exit opens the vacancy from the next day (as the workflow's exit does): nothing to
    # record by hand.
    opened = await Vacancy.select(Vacancy.start_date, Vacancy.end_date, Vacancy.cause).where(
        Vacancy.dwelling == dwelling_id
    )
    assert opened == [
        {"start_date": d("2024-09-01"), "end_date": None, "cause": "between_occupants"}
    ]
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(
            ACTOR,
            dwelling_id,
            {
                "returned_on": "2024-09-30",
                "return_reason": "",
                "notice_given_on": "2024-10-15",
                "notice_months": "30",
            },
        )
    assert caught.value.errors == {
        "return_reason": "ce champ est obligatoire",
        "notice_months": "la valeur maximale est 24",
    }
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(
            ACTOR, dwelling_id, {**good, "notice_given_on": "2024-10-15"}
        )
    assert caught.value.errors == {
        "notice_given_on": "le congé est daté après le retour du logement"
    }
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(ACTOR, dwelling_id, {**good, "returned_on": "2024-08-15"})
    assert caught.value.errors == {
        "returned_on": "un ménage occupe jusqu'au 31/08/2024 ce "
        "logement : enregistrez d'abord sa sortie"
    }
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(
            ACTOR, dwelling_id, {**good, "returned_on": "2024-02-01", "notice_given_on": ""}
        )
    assert caught.value.errors == {
        "returned_on": "la date du retour précède celle de la captation (01/03/2024)"
    }
    assert (await status(dwelling_id))["status"] == "available"
    await captation.return_to_owner(ACTOR, dwelling_id, good)
    row = await status(dwelling_id)
    assert (row["status"], row["returned_on"], row["return_reason"]) == (
        "returned",
        d("2024-09-30"),
        "owner_takes_back",
    )
    lease = await HeadLease.select().first()
    assert (lease["end_date"], lease["notice_given_on"], lease["notice_months"]) == (
        d("2024-09-30"),
        d("2024-06-15"),
        3,
    )
    assert (await Vacancy.select().first())["end_date"] == d("2024-09-30")
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(ACTOR, dwelling_id, good)
    assert caught.value.errors == {"_return": "Ce logement a déjà été rendu au propriétaire."}
    # A prospect cannot be returned: it was never captured.
    other = await prospect()
    with pytest.raises(FormErrors) as caught:
        await captation.return_to_owner(ACTOR, other, good)
    assert "_return" in caught.value.errors and (await status(other))["status"] == "prospect"


async def test_stages_counts_filters_and_pages(database):
    owner_id = await owner()
    a = await prospect(owner_id, contacted_on="2023-05-01")
    b = await prospect(owner_id, contacted_on="2024-01-15", programme="")
    c = await prospect(owner_id, contacted_on="2023-11-02")
    await captation.capture(
        ACTOR, c, {**LEASE, "start_date": "2023-12-01", "captured_on": "2023-12-01"}
    )
    e = await prospect(owner_id, contacted_on="2022-01-10")
    await captation.capture(
        ACTOR, e, {**LEASE, "start_date": "2022-02-01", "captured_on": "2022-02-01"}
    )
    await captation.return_to_owner(
        ACTOR, e, {"returned_on": "2023-06-30", "return_reason": "humidity"}
    )
    f = await dwelling(owner_id, status="available", captured_on="2024-02-01")
    await occupancy(f, await household(), "2024-03-01")
    assert await captation.stage_counts() == {
        "prospect": 2,
        "captured": 1,
        "in_use": 1,
        "returned": 1,
    }
    assert await captation.stage_counts("iml_sublease") == {
        "prospect": 1,
        "captured": 1,
        "in_use": 1,
        "returned": 1,
    }
    # 2024: e was returned in 2023; the others were in the pipeline in 2024.
    assert await captation.stage_counts(year=2024) == {
        "prospect": 2,
        "captured": 1,
        "in_use": 1,
        "returned": 0,
    }
    # 2022: only e (contacted and captured in 2022).
    assert await captation.stage_counts(year=2022) == {
        "prospect": 0,
        "captured": 0,
        "in_use": 0,
        "returned": 1,
    }
    assert await captation.stage_counts(year=2023) == {
        "prospect": 1,
        "captured": 1,
        "in_use": 0,
        "returned": 1,
    }
    rows, cursor = await captation.stage_rows("prospect", None, limit=1)
    assert [r["id"] for r in rows] == [a] and cursor == a
    rows, cursor = await captation.stage_rows("prospect", None, after=cursor, limit=1)
    assert [r["id"] for r in rows] == [b] and cursor is None
    returned, _ = await captation.stage_rows("returned", None)
    assert returned[0]["return_reason"] == "humidity"
    assert returned[0]["lease"]["end_date"] == d("2023-06-30")
    captured, _ = await captation.stage_rows("captured", None)
    assert captured[0]["lease"]["start_date"] == d("2023-12-01")


async def test_the_read_api_gives_dwellings_without_their_address(database):
    owner_id = await owner()
    one = await dwelling(owner_id, typology="studio", furnished="on")
    two = await dwelling(owner_id, programme="", status="prospect", confidential="on")
    views = await housing.dwellings()
    assert [v.id for v in views] == [one, two]
    assert views[0] == housing.DwellingView(
        id=one,
        reference=f"L-{one:05d}",
        typology="studio",
        furnished=True,
        status="available",
        programme="iml_sublease",
        confidential=False,
    )
    assert not hasattr(views[0], "address") and "address" not in {
        f.name for f in dataclasses.fields(housing.DwellingView)
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        views[0].status = "returned"  # type: ignore[misc]
    assert [v.id for v in await housing.dwellings(programme="iml_sublease")] == [one]
    assert [v.id for v in await housing.dwellings(programme="")] == [two]
    assert [v.id for v in await housing.dwellings(status="prospect")] == [two]
    assert await housing.dwellings(programme="iml_sublease", status="prospect") == []
    assert (await housing.dwelling(two)).confidential is True
    assert await housing.dwelling(999999) is None
    assert housing.DWELLING_STATUSES["returned"] == "Rendu au propriétaire"


async def test_the_page_by_role_with_forms_errors_and_masking(login_as):
    owner_id = await owner("Mme DUPONT Jeanne")
    pending = await prospect(owner_id)
    hidden = await dwelling(
        await owner("M. SECRET Paul"),
        address="12 rue Cachée",
        confidential="on",
        status="available",
        captured_on="2024-01-05",
    )
    manager = await login_as("rental_manager")
    page = await manager.get("/housing/captation")
    assert page.status_code == 200
    text = page.text
    assert "Propriétaire contacté" in text and "Mme DUPONT Jeanne" in text
    assert "10/02/2024" in text and f"/housing/captation/{pending}/capture" in text
    assert "Cachée" not in text and "Adresse confidentielle" in text
    assert "M. SECRET Paul</td>" not in text and "Propriétaire confidentiel" in text
    assert 'href="/housing/captation"' in text.split("</nav>")[0]
    # The new-contact form: a French error, what was typed kept, nothing written.
    bad = await manager.post(
        "/housing/captation/contacts",
        {
            "owner": str(owner_id),
            "address": "4 chemin Tapé",
            "city": "Alès",
            "typology": "T3",
            "stock": "private",
            "contacted_on": "",
        },
    )
    assert bad.status_code == 422
    assert "indiquez la date du contact avec le propriétaire" in bad.text
    assert "4 chemin Tapé" in bad.text and await Dwelling.count() == 2
    ok = await manager.post(
        "/housing/captation/contacts",
        {
            "owner": str(owner_id),
            "address": "4 chemin Tapé",
            "city": "Alès",
            "typology": "T3",
            "stock": "private",
            "contacted_on": "2024-05-02",
        },
    )
    assert ok.status_code == 303 and await Dwelling.count() == 3
    # Capture through its page (linked from the dwelling's page too).
    detail = (await manager.get(f"/housing/dwellings/{pending}")).text
    assert f"/housing/captation/{pending}/capture" in detail and "10/02/2024" in detail
    form = await manager.get(f"/housing/captation/{pending}/capture")
    assert form.status_code == 200 and "Mme DUPONT Jeanne" in form.text
    bad = await manager.post(
        f"/housing/captation/{pending}/capture",
        {**LEASE, "captured_on": "2024-03-01", "rent": "99999"},
    )
    assert bad.status_code == 422 and "montant trop élevé" in bad.text
    assert 'value="99999"' in bad.text and await HeadLease.count() == 0
    done = await manager.post(
        f"/housing/captation/{pending}/capture", {**LEASE, "captured_on": "2024-03-01"}
    )
    assert done.status_code == 303 and (await status(pending))["status"] == "available"
    again = await manager.post(
        f"/housing/captation/{pending}/capture", {**LEASE, "captured_on": "2024-03-01"}
    )
    assert again.status_code == 422 and "plus en prospection" in again.text
    # Return through its page.
    bad = await manager.post(
        f"/housing/captation/{pending}/return",
        {"returned_on": "2024-02-01", "return_reason": "sale"},
    )
    assert bad.status_code == 422 and "précède celle de la captation" in bad.text
    assert 'value="2024-02-01"' in bad.text
    done = await manager.post(
        f"/housing/captation/{pending}/return",
        {
            "returned_on": "2024-06-30",
            "return_reason": "sale",
            "notice_given_on": "2024-03-30",
            "notice_months": "3",
        },
    )
    assert done.status_code == 303
    text = (await manager.get("/housing/captation?year=2024&programme=iml_sublease")).text
    assert "Vente" in text and "30/06/2024" in text and "congé donné le 30/03/2024" in text
    # A confidential dwelling is not moved by someone who may not see it.
    assert (await manager.get(f"/housing/captation/{hidden}/return")).status_code == 403
    assert (
        await manager.post(
            f"/housing/captation/{hidden}/return",
            {"returned_on": "2024-06-30", "return_reason": "sale"},
        )
    ).status_code == 403
    assert (await manager.get("/housing/captation/999999/capture")).status_code == 404
    # Technicians see the pipeline but do not sign or end head leases; social workers no.
    technician = await login_as("technician")
    page = await technician.get("/housing/captation")
    assert page.status_code == 200 and "/capture" not in page.text
    assert (await technician.post(f"/housing/captation/{hidden}/return", {})).status_code == 403
    worker = await login_as("social_worker")
    assert (await worker.get("/housing/captation")).status_code == 403
    # Staff assigned to the programme see the confidential address and owner (audited).
    await User.update({User.programmes: ["iml_sublease"]}).where(
        User.email == "head_of_service@test.fr"
    )
    head = await login_as("head_of_service")
    text = (await head.get("/housing/captation")).text
    assert "12 rue Cachée" in text and "M. SECRET Paul" in text
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "read_confidential") & (AuditEntry.object_id == hidden)
        )
        >= 1
    )


async def test_more_rows_come_by_htmx(login_as, monkeypatch):
    monkeypatch.setattr(captation, "PAGE_SIZE", 1)
    owner_id = await owner()
    first = await prospect(owner_id)
    second = await prospect(owner_id)
    manager = await login_as("rental_manager")
    page = (await manager.get("/housing/captation")).text
    assert f"L-{first:05d}" in page and f"L-{second:05d}" not in page
    assert f"stage=prospect&after={first}" in page
    more = await manager.get(
        f"/housing/captation?stage=prospect&after={first}", headers={"HX-Request": "true"}
    )
    assert more.status_code == 200 and "<html" not in more.text
    assert f"L-{second:05d}" in more.text and f"L-{first:05d}" not in more.text
    assert await Occupancy.count() == 0


async def test_captation_figures_in_the_report(database, host):
    """2024, iml_sublease: contacted in 2024: P1 (still a prospect), P2 (captured 2024-04-01,
    a T3), P3 (contacted 2024-12-20, captured in 2025: not counted as captured) = 3, of which
    1 captured by the end of 2024. Captured in 2024: P2 (T3), S (studio, no contact date),
    R (T2, returned in 2024 for danger) = 3. Contacted in 2023: Q (not counted). Another
    programme's contact: not counted."""
    from tremplin.api import Period
    from tremplin.reports.engine import build_report

    o = await owner()
    await prospect(o, contacted_on="2024-01-10")
    p2 = await prospect(o, contacted_on="2024-03-05", typology="T3")
    await captation.capture(
        ACTOR, p2, {**LEASE, "start_date": "2024-04-01", "captured_on": "2024-04-01"}
    )
    await prospect(o, contacted_on="2024-12-20")
    await prospect(o, contacted_on="2023-10-01")
    await prospect(o, contacted_on="2024-02-01", programme="")
    await dwelling(o, typology="studio", captured_on="2024-06-01")
    r = await dwelling(o, typology="T2", captured_on="2024-01-15")
    await captation.return_to_owner(
        ACTOR, r, {"returned_on": "2024-08-31", "return_reason": "danger"}
    )
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    chapter = next(c for c in report["programmes"] if c["key"] == "iml_sublease")
    section = next(s for s in chapter["sections"] if s["key"] == "housing")
    tables = {t["key"]: t for t in section["tables"]}
    rows = {k: {r["key"]: r["count"] for r in t["rows"]} for k, t in tables.items()}
    assert rows["housing_prospection"] == {"contacted": 3, "contacted_captured": 1}
    assert rows["housing_captured_typology"] == {
        "studio": 1,
        "T1": 0,
        "T2": 1,
        "T3": 1,
        "T4": 0,
        "T5": 0,
    }
    assert tables["housing_captured_typology"]["total"] == 3
    assert rows["housing_stock"]["captured"] == 3
    assert rows["housing_returns"] == {"danger": 1}


async def test_two_captures_at_once_write_one_head_lease(database):
    """Two people (or a double click on two workers) capture the same prospect at once: the
    row lock makes the second see the first's result."""
    import asyncio

    dwelling_id = await prospect()
    form = {**LEASE, "captured_on": "2024-03-01"}
    results = await asyncio.gather(
        captation.capture(ACTOR, dwelling_id, form),
        captation.capture(ACTOR, dwelling_id, form),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["FormErrors", "int"]
    assert await HeadLease.count() == 1
    assert (await status(dwelling_id))["version"] == 2
