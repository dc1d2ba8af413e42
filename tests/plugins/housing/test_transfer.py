"""A transfer is one fact recorded the same way whichever path records it: the workflow's
« Changement de logement » and the occupancy page's « Transfert » run housing's one
implementation (``journey.transfer_occupancy``). Both close the old occupancy the day before
the transfer date and open the vacancy of the dwelling left from that date, open the new
occupancy and its rent terms on the transfer date, close the new dwelling's open vacancy,
carry the confidential address of the household's programme (Alter Logement), write one
timeline line dated by the transfer and the same housing audit entries; both refuse, in
French and writing nothing, a dwelling that is not free. Each test runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import Session, login
from tests.plugins.housing.helpers import ACTOR, entry_values
from tremplin.api import FormErrors
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.types import UNKNOWN_CHOICE
from tremplin_housing import api as housing
from tremplin_housing import stock
from tremplin_housing.tables import Dwelling, Occupancy, RentTerms, Vacancy

D = dt.date


async def _move(host, enrolment_id: int, key: str, **values: str) -> str:
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def _housed(host, name: str) -> dict[str, Any]:
    """An Alter Logement household entered on 1 February 2024 a dwelling vacant since
    1 December; a second dwelling of the programme, not confidential, is vacant since
    1 March. Returns the ids."""
    household_id = await hh.create_household(ACTOR, {"name": name})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "alter_logement",
        {
            "referral_date": "2024-01-05",
            "prescriber": "sos_violences",
            "situation_before_entry": "emergency_shelter",
        },
    )
    await _move(host, enrolment_id, "accept", decision_date="2024-01-10")
    first = await entry_values("alter_logement", rent="380", charges="40", benefit="100")
    old = int(first["dwelling"])
    await stock.add_vacancy(ACTOR, old, {"start_date": "2023-12-01", "cause": "between_occupants"})
    await _move(host, enrolment_id, "enter", entry_date="2024-02-01", **first)
    new = int((await entry_values("alter_logement"))["dwelling"])
    await stock.add_vacancy(ACTOR, new, {"start_date": "2024-03-01", "cause": "works"})
    await Dwelling.update({Dwelling.confidential: False}).where(Dwelling.id == new)
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    return {
        "household": household_id,
        "enrolment": enrolment_id,
        "old": old,
        "new": new,
        "occupancy": occupancy_id,
        "since": (await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False))[
            0
        ]["id"],
    }


async def _reference(dwelling_id: int) -> str:
    return (await Dwelling.select(Dwelling.reference).where(Dwelling.id == dwelling_id).first())[
        "reference"
    ]


async def _facts(ids: dict[str, Any]) -> dict[str, Any]:
    """Every row the transfer wrote, with the ids of this household's rows replaced by names
    (``old``/``new`` dwelling, ``first``/``second`` occupancy) so two households compare."""
    names = {ids["old"]: "old", ids["new"]: "new"}
    refs = {await _reference(i): n for i, n in names.items()}
    occupancies = (
        await Occupancy.select()
        .where(Occupancy.household == ids["household"])
        .order_by(Occupancy.start_date)
    )
    occ_names = {o["id"]: n for o, n in zip(occupancies, ("first", "second"), strict=True)}

    def named(text: str) -> str:
        for ref, name in refs.items():
            text = text.replace(ref, name)
        return text

    terms = await RentTerms.select().where(RentTerms.occupancy.is_in(list(occ_names)))
    vacancies = await Vacancy.select().where(Vacancy.dwelling.is_in(list(names)))
    dwellings = await Dwelling.select(
        Dwelling.id, Dwelling.status, Dwelling.programme, Dwelling.confidential
    ).where(Dwelling.id.is_in(list(names)))
    events = await TimelineEvent.select().where(
        (TimelineEvent.household == ids["household"]) & (TimelineEvent.kind != "state_change")
    )
    audit = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.object_id, AuditEntry.fields)
        .where(
            (AuditEntry.id > ids["since"])
            & (AuditEntry.object_type == "housing_occupancy")
            & AuditEntry.object_id.is_in(list(occ_names))
        )
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    return {
        "occupancies": [
            (
                names[o["dwelling"]],
                o["enrolment"] == ids["enrolment"],
                o["kind"],
                o["programme"],
                o["start_date"],
                o["end_date"],
                o["exit_reason"],
                occ_names.get(o["transferred_from"]),
            )
            for o in occupancies
        ],
        "terms": sorted(
            (
                occ_names[t["occupancy"]],
                t["effective_from"],
                t["rent_cents"],
                t["charges_cents"],
                t["benefit_cents"],
                t["reason"],
            )
            for t in terms
        ),
        "vacancies": sorted(
            (names[v["dwelling"]], v["start_date"], v["end_date"], v["cause"]) for v in vacancies
        ),
        "dwellings": sorted(
            (names[r["id"]], r["status"], r["programme"], r["confidential"]) for r in dwellings
        ),
        "timeline": sorted(
            (
                e["kind"],
                named(e["title"]),
                named(e["body"]),
                e["occurred_at"].date(),
                e["programme"],
            )
            for e in events
        ),
        "audit": [(a["action"], occ_names[a["object_id"]], a["fields"]) for a in audit],
    }


async def _page(client) -> Session:
    return Session(client, await login(client, "head_of_service@test.fr"), None)


async def test_both_transfers_record_the_same_rows(client, users, host):
    by_workflow = await _housed(host, "FLUX Amina")
    by_page = await _housed(host, "PAGE Sonia")

    assert (
        await _move(
            host,
            by_workflow["enrolment"],
            "move",
            moved_on="2024-06-15",
            dwelling=str(by_workflow["new"]),
        )
        == "housed"
    )
    page = await _page(client)
    response = await page.post(
        f"/housing/occupancies/{by_page['occupancy']}/transfer",
        {
            "transfer_dwelling": await _reference(by_page["new"]),
            "transfer_transfer_date": "2024-06-15",
            "transfer_rent": "380",
            "transfer_charges": "40",
            "transfer_benefit": "100",
        },
    )
    assert response.status_code in (302, 303), response.text[:2000]

    workflow_facts, page_facts = await _facts(by_workflow), await _facts(by_page)
    assert workflow_facts == page_facts
    # And those rows are the right ones.
    assert workflow_facts["occupancies"] == [
        (
            "old",
            True,
            "agreement",
            "alter_logement",
            D(2024, 2, 1),
            D(2024, 6, 14),
            "transfer",
            None,
        ),
        ("new", True, "agreement", "alter_logement", D(2024, 6, 15), None, "", "first"),
    ]
    assert workflow_facts["terms"] == [
        ("first", D(2024, 2, 1), 38000, 4000, 10000, "entry"),
        ("second", D(2024, 6, 15), 38000, 4000, 10000, "entry"),
    ]
    assert workflow_facts["vacancies"] == [
        ("new", D(2024, 3, 1), D(2024, 6, 14), "works"),
        ("old", D(2023, 12, 1), D(2024, 1, 31), "between_occupants"),
        ("old", D(2024, 6, 15), None, "between_occupants"),
    ]
    # The new dwelling takes the programme's confidential address; the old one is free.
    assert workflow_facts["dwellings"] == [
        ("new", "occupied", "alter_logement", True),
        ("old", "available", "alter_logement", True),
    ]
    transfers = [t for t in workflow_facts["timeline"] if t[1].startswith("Transfert")]
    assert transfers == [
        (
            "housing_occupancy",
            "Transfert vers le logement new",
            "Depuis le logement old",
            D(2024, 6, 15),
            "alter_logement",
        )
    ]
    assert [a[:2] for a in workflow_facts["audit"]] == [
        ("exit", "first"),
        ("create", "second"),
        ("transfer", "first"),
    ]
    # The support's exit closes the moved occupancy, whichever path moved it.
    for ids in (by_workflow, by_page):
        await _move(
            host, ids["enrolment"], "exit", exit_date="2024-12-31", exit_destination="family"
        )
        assert await housing.current_occupancy(ids["household"]) is None
    assert (await _facts(by_workflow))["vacancies"] == (await _facts(by_page))["vacancies"]


async def _counts() -> tuple[int, ...]:
    return (
        await Occupancy.count(),
        await RentTerms.count(),
        await Vacancy.count(),
        await TimelineEvent.count(),
        await AuditEntry.count(),
        await Dwelling.count().where(Dwelling.confidential.eq(True)),
    )


@pytest.mark.parametrize("target", ["taken", "prospect"])
async def test_both_transfers_refuse_a_dwelling_that_is_not_free(client, users, host, target):
    ids = await _housed(host, "BLOQUE Inès")
    if target == "taken":
        other = await _housed(host, "DEJA Laure")
        dwelling_id = other["old"]
    else:
        values = await entry_values("alter_logement")
        dwelling_id = int(values["dwelling"])
        await Dwelling.update({Dwelling.status: "prospect"}).where(Dwelling.id == dwelling_id)
    page = await _page(client)
    before = await _counts()
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == ids["enrolment"]).first()
    )["version"]

    with pytest.raises(FormErrors) as caught:
        await _move(
            host, ids["enrolment"], "move", moved_on="2024-06-15", dwelling=str(dwelling_id)
        )
    assert "dwelling" in caught.value.errors
    refused = await page.post(
        f"/housing/occupancies/{ids['occupancy']}/transfer",
        {
            "transfer_dwelling": await _reference(dwelling_id),
            "transfer_transfer_date": "2024-06-15",
            "transfer_rent": "380",
        },
    )
    assert refused.status_code == 422
    text = refused.text.replace("&#39;", "'")
    reference = await _reference(dwelling_id)
    if target == "taken":
        assert f"Le logement {reference} est déjà occupé du 01/02/2024 à ce jour." in text
    else:
        assert f"Le logement {reference} n'est pas disponible (capté et libre)." in text
    assert await _counts() == before
    row = await Enrolment.select(Enrolment.version).where(Enrolment.id == ids["enrolment"]).first()
    assert row["version"] == version
    current = await housing.enrolment_occupancy(ids["enrolment"])
    assert (current["id"], current["end_date"]) == (ids["occupancy"], None)


async def test_a_residence_resident_changes_unit_through_the_same_transfer(client, users, host):
    """The social residence had no change of unit: the occupancy page moved the rent account
    while the resident's unit stayed the old one (offered to nobody, and the new one offered
    to others). Its « Changement de logement » now moves both, through housing's transfer;
    the occupancy page refuses, in French and writing nothing, to move a resident."""
    from tests.plugins.social_residence.helpers import resident, unit
    from tremplin_social_residence.tables import ResidenceUnit

    first, second = await unit("R1"), await unit("R2")
    dwelling_of = {
        r["id"]: r["dwelling_id"]
        for r in await ResidenceUnit.select(ResidenceUnit.id, ResidenceUnit.dwelling_id)
    }
    await stock.add_vacancy(
        ACTOR, dwelling_of[second], {"start_date": "2023-11-01", "cause": "between_occupants"}
    )
    enrolment_id = await resident(host, "CHAMBRE Paul", first, "2024-01-01")
    household_id = (
        await Enrolment.select(Enrolment.household).where(Enrolment.id == enrolment_id).first()
    )["household"]
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]

    page = await _page(client)
    before = await _counts()
    refused = await page.post(
        f"/housing/occupancies/{occupancy_id}/transfer",
        {
            "transfer_dwelling": await _reference(dwelling_of[second]),
            "transfer_transfer_date": "2024-06-01",
            "transfer_rent": "420",
        },
    )
    assert refused.status_code == 422
    assert "s'enregistre sur la mesure du résident" in refused.text.replace("&#39;", "'")
    assert await _counts() == before

    with pytest.raises(FormErrors) as caught:
        await _move(host, enrolment_id, "move", moved_on="2024-01-01", unit=str(second))
    assert caught.value.errors == {
        "_transition": "Le changement de logement doit suivre l'entrée dans la résidence."
    }
    assert await _move(host, enrolment_id, "move", moved_on="2024-06-01", unit=str(second)) == (
        "housed"
    )
    rows = await Occupancy.select(
        Occupancy.dwelling, Occupancy.start_date, Occupancy.end_date, Occupancy.exit_reason
    ).where(Occupancy.enrolment == enrolment_id)
    assert sorted(
        (r["dwelling"], r["start_date"], r["end_date"], r["exit_reason"]) for r in rows
    ) == [
        (dwelling_of[first], D(2024, 1, 1), D(2024, 5, 31), "transfer"),
        (dwelling_of[second], D(2024, 6, 1), None, ""),
    ]
    vacancies = await Vacancy.select(Vacancy.dwelling, Vacancy.start_date, Vacancy.end_date)
    assert sorted((v["dwelling"], v["start_date"], v["end_date"]) for v in vacancies) == sorted(
        [
            (dwelling_of[first], D(2024, 6, 1), None),
            (dwelling_of[second], D(2023, 11, 1), D(2024, 5, 31)),
        ]
    )
    data = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )["data"]
    assert data["unit"] == second
    lines = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.occurred_at).where(
        (TimelineEvent.household == household_id) & TimelineEvent.title.like("Transfert%")
    )
    assert [(e["title"], e["occurred_at"].date()) for e in lines] == [
        (f"Transfert vers le logement {await _reference(dwelling_of[second])}", D(2024, 6, 1))
    ]
    # The unit left is free again for the next resident; the new one is not.
    other = await resident(host, "SUIVANT Marc", first, "2024-07-01")
    with pytest.raises(FormErrors) as caught:
        await _move(host, other, "move", moved_on="2024-08-01", unit=str(second))
    assert caught.value.errors == {"unit": UNKNOWN_CHOICE}
