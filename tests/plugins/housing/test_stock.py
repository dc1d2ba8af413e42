"""Owners, dwellings, head leases and vacancy: validation in French, nothing written."""

import pytest

from tests.plugins.housing.helpers import ACTOR, PROGRAMMES, d, dwelling, owner
from tremplin.api import FormErrors
from tremplin_housing import stock
from tremplin_housing.tables import Dwelling, HeadLease, Owner, Vacancy
from tremplin_housing.views import dwelling_list


async def test_owner_needs_a_kind_and_a_name_and_a_valid_email(database):
    with pytest.raises(FormErrors) as caught:
        await stock.create_owner(ACTOR, {"kind": "martian", "name": "", "email": "pas-un-mail"})
    assert caught.value.errors == {
        "kind": "choix inconnu",
        "name": "ce champ est obligatoire",
        "email": "adresse électronique invalide",
    }
    assert await Owner.count() == 0
    owner_id = await stock.create_owner(ACTOR, {"kind": "social_landlord", "name": "Habitat 30"})
    assert (await Owner.select(Owner.name).where(Owner.id == owner_id).first())[
        "name"
    ] == "Habitat 30"


async def test_dwelling_validation_lists_every_problem_and_writes_nothing(database):
    owner_id = await owner()
    with pytest.raises(FormErrors) as caught:
        await stock.create_dwelling(
            ACTOR,
            {
                "owner": str(owner_id),
                "address": "",
                "city": "Alès",
                "typology": "T9",
                "postcode": "3010",
                "surface_m2": "-4",
                "stock": "private",
                "status": "returned",
                "dpe_date": "2099-01-01",
                "programme": "unknown",
            },
            PROGRAMMES,
        )
    errors = caught.value.errors
    assert errors["address"] == "ce champ est obligatoire"
    assert errors["typology"] == "choix inconnu"
    assert errors["surface_m2"] == "la valeur minimale est 5"
    assert errors["programme"] == "choix inconnu"
    with pytest.raises(FormErrors) as caught:
        await stock.create_dwelling(
            ACTOR,
            {
                "owner": str(owner_id),
                "address": "1 rue A",
                "city": "Alès",
                "typology": "T2",
                "postcode": "3010",
                "stock": "private",
                "status": "returned",
                "dpe_date": "2099-01-01",
                "dpe_class": "",
            },
            PROGRAMMES,
        )
    assert caught.value.errors == {
        "postcode": "code postal invalide (5 chiffres)",
        "dpe_date": "la date est dans le futur",
        "dpe_class": "indiquez la classe du DPE",
        "returned_on": "indiquez la date du retour au propriétaire",
        "return_reason": "indiquez le motif du retour au propriétaire",
    }
    with pytest.raises(FormErrors) as caught:
        await dwelling(owner_id=999)
    assert caught.value.errors == {"owner": "propriétaire inconnu"}
    assert await Dwelling.count() == 0


async def test_dwelling_gets_a_reference_and_can_be_returned_with_a_reason(database):
    dwelling_id = await dwelling(surface_m2="45", furnished="on")
    row = await Dwelling.select().where(Dwelling.id == dwelling_id).first()
    assert row["reference"] == f"L-{dwelling_id:05d}"
    assert (row["surface_m2"], row["furnished"], row["typology"]) == (45, True, "T2")
    await stock.update_dwelling(
        ACTOR,
        dwelling_id,
        {
            "owner": str(row["owner"]),
            "address": "3 rue des Lilas",
            "city": "Alès",
            "typology": "T2",
            "stock": "private",
            "status": "returned",
            "returned_on": "2024-06-30",
            "return_reason": "humidity",
        },
        PROGRAMMES,
    )
    row = await Dwelling.select().where(Dwelling.id == dwelling_id).first()
    assert (row["status"], row["return_reason"], row["version"]) == ("returned", "humidity", 2)


async def test_head_lease_and_vacancy_cost(database):
    dwelling_id = await dwelling()
    with pytest.raises(FormErrors) as caught:
        await stock.add_head_lease(
            ACTOR,
            dwelling_id,
            {
                "kind": "head_lease",
                "start_date": "2024-01-01",
                "end_date": "2023-01-01",
                "rent": "-10",
            },
        )
    assert caught.value.errors == {"rent": "le montant ne peut pas être négatif"}
    with pytest.raises(FormErrors) as caught:
        await stock.add_head_lease(
            ACTOR,
            dwelling_id,
            {
                "kind": "head_lease",
                "start_date": "2024-01-01",
                "end_date": "2023-01-01",
                "rent": "310",
            },
        )
    assert caught.value.errors == {"end_date": "la date de fin précède la date de début"}
    with pytest.raises(FormErrors) as caught:
        await stock.add_head_lease(
            ACTOR,
            dwelling_id,
            {"kind": "head_lease", "start_date": "2024-01-01", "rent": "99999999"},
        )
    assert caught.value.errors == {"rent": "montant trop élevé"}
    assert await HeadLease.count() == 0
    await stock.add_head_lease(
        ACTOR,
        dwelling_id,
        {"kind": "head_lease", "start_date": "2024-01-01", "rent": "290", "charges": "20"},
    )
    with pytest.raises(FormErrors):
        await stock.add_head_lease(
            ACTOR, dwelling_id, {"kind": "mandate", "start_date": "2024-06-01", "rent": "290"}
        )
    with pytest.raises(FormErrors) as caught:
        await stock.add_vacancy(
            ACTOR,
            dwelling_id,
            {"start_date": "2024-05-01", "end_date": "2024-04-01", "cause": "works"},
        )
    assert caught.value.errors == {"end_date": "la fin de la vacance précède son début"}
    await stock.add_vacancy(
        ACTOR,
        dwelling_id,
        {
            "start_date": "2024-04-01",
            "end_date": "2024-05-31",
            "cause": "works",
            "note": "Peinture",
        },
    )
    assert await Vacancy.count() == 1

    vacancy = stock.vacancy_rows(await Vacancy.select(), await HeadLease.select(), d("2025-01-01"))[
        0
    ]
    assert (vacancy["days"], vacancy["cost_cents"]) == (61, 62_000)  # two months of 310 €


async def test_list_filters_and_keyset_pagination(database):
    owner_id = await owner()
    ids = [
        await dwelling(owner_id, typology="T1" if i % 2 else "T3", dpe_class="G" if i == 3 else "C")
        for i in range(7)
    ]
    admin = type("U", (), {"role": "admin"})()
    rows, cursor = await dwelling_list({"typology": "T3"}, "", None, admin, limit=2)
    assert [r["id"] for r in rows] == [ids[0], ids[2]] and cursor == ids[2]
    rows, cursor = await dwelling_list({"typology": "T3"}, "", cursor, admin, limit=2)
    assert [r["id"] for r in rows] == [ids[4], ids[6]] and cursor is None
    rows, _ = await dwelling_list({"dpe_class": "G"}, "", None, admin)
    assert [r["id"] for r in rows] == [ids[3]]
    assert rows[0]["alerts"] == ["Classe G : passoire énergétique, travaux à prévoir"]
    rows, _ = await dwelling_list({"status": "occupied"}, "", None, admin)
    assert rows == []
