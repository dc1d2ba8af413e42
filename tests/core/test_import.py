"""Spreadsheet import: all-or-nothing, every problem with row and column, idempotent."""

import io

from openpyxl import Workbook, load_workbook

from tremplin.importer import run_import, template_xlsx
from tremplin.models import Enrolment, Household, Membership, Person
from tremplin.reports.engine import build_report
from tremplin.types import Period


def workbook(menages, personnes, accompagnements) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in (
        ("menages", menages),
        ("personnes", personnes),
        ("accompagnements", accompagnements),
    ):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = workbook(
    [
        ["id_externe", "nom", "composition", "ressources", "situation_avant_entree"],
        ["H1", "DIALLO Awa", "Femme isolée avec enfant(s)", "RSA, Prestations familiales", "CHRS"],
        ["H2", "MARTIN Paul", "isolated_man", "Salaire", "Hébergé chez des tiers"],
    ],
    [
        ["id_externe", "id_menage", "prenom", "nom", "date_naissance", "sexe", "lien"],
        ["P1", "H1", "Awa", "Diallo", "12/05/1990", "F", "Personne de référence"],
        ["P2", "H1", "Moussa", "Diallo", "2015-03-02", "M", "Enfant"],
        ["P3", "H2", "Paul", "Martin", "01/01/1980", "Homme", "reference"],
    ],
    [
        [
            "id_externe",
            "id_menage",
            "programme",
            "date_orientation",
            "prescripteur",
            "date_entree",
            "date_sortie",
            "destination_sortie",
        ],
        [
            "E1",
            "H1",
            "IML sous-location",
            "10/01/2023",
            "SIAO",
            "01/03/2023",
            "15/10/2024",
            "Logement secteur public (bail glissant)",
        ],
        ["E2", "H2", "iml_sublease", "2024-02-01", "CHRS", "2024-04-01", None, None],
    ],
)


async def test_import_then_report(database, host):
    dry = await run_import(host, GOOD, "annee.xlsx", dry_run=True)
    assert dry.ok and dry.created == {"menages": 2, "personnes": 3, "accompagnements": 2}
    assert await Household.count() == 0
    result = await run_import(host, GOOD, "annee.xlsx")
    assert result.ok, result.problems
    assert (
        await Household.count(),
        await Person.count(),
        await Membership.count(),
        await Enrolment.count(),
    ) == (2, 3, 3, 2)
    states = {
        r["external_id"]: r["state"]
        for r in await Enrolment.select(Enrolment.external_id, Enrolment.state)
    }
    assert states == {"E1": "exited", "E2": "housed"}
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    tables = {t["key"]: t for t in report["programmes"][0]["sections"][0]["tables"]}
    overview = {r["key"]: r["count"] for r in tables["overview"]["rows"]}
    assert (overview["households"], overview["people"], overview["entries"], overview["exits"]) == (
        2,
        3,
        1,
        1,
    )
    assert {r["label"]: r["count"] for r in tables["exit_destinations"]["rows"]}[
        "Logement secteur public (bail glissant)"
    ] == 1
    again = await run_import(host, GOOD, "annee.xlsx")
    assert again.ok and again.created == {"menages": 0, "personnes": 0, "accompagnements": 0}
    assert again.updated == {"menages": 2, "personnes": 3, "accompagnements": 2}
    assert (await Household.count(), await Person.count(), await Enrolment.count()) == (2, 3, 2)


async def test_any_invalid_row_writes_nothing_and_lists_every_problem(database, host):
    bad = workbook(
        [["id_externe", "nom", "composition"], ["H1", "", "Martien"], ["H1", "DOUBLE", None]],
        [
            ["id_externe", "id_menage", "prenom", "nom", "date_naissance"],
            ["P1", "H9", "Awa", "Diallo", "31/02/1990"],
        ],
        [
            ["id_externe", "id_menage", "programme", "date_entree", "date_sortie"],
            ["E1", "H1", "cllaj", None, None],
            ["E2", "H1", "iml_sublease", "2024-05-01", "2024-01-01"],
        ],
    )
    result = await run_import(host, bad, "faux.xlsx")
    assert not result.ok
    assert result.problems == [
        "menages, ligne 2, colonne « nom » : obligatoire",
        "menages, ligne 2, colonne « composition » : valeur inconnue « Martien » (attendu : Homme isolé, "
        "Femme isolée, Homme isolé avec enfant(s), Femme isolée avec enfant(s), Couple sans enfant, "
        "Couple avec enfant(s), Autre (groupe, cohabitation…))",
        "menages, ligne 3, colonne « id_externe » : « H1 » apparaît deux fois",
        "personnes, ligne 2, colonne « id_menage » : ménage « H9 » absent de la feuille menages",
        "personnes, ligne 2, colonne « date_naissance » : date invalide « 31/02/1990 » (JJ/MM/AAAA)",
        "accompagnements, ligne 2, colonne « programme » : programme inconnu ou désactivé « cllaj »",
        "accompagnements, ligne 3, colonne « date_sortie » : la sortie précède l'entrée",
    ]
    assert await Household.count() == 0 and await Person.count() == 0


async def test_csv_one_row_per_enrolment(database, host):
    csv_text = (
        "id_externe;id_menage;nom_menage;composition;ressources;ref_prenom;ref_nom;ref_date_naissance;"
        "ref_sexe;programme;date_orientation;prescripteur;date_entree\n"
        "E1;H1;KONÉ Adama;Homme isolé;Allocation CEJ;Adama;Koné;03/02/2003;M;IML sous-location;"
        "05/01/2024;Mission Locale;01/02/2024\n"
    ).encode()
    result = await run_import(host, csv_text, "export.csv")
    assert result.ok, result.problems
    household = await Household.select().output(load_json=True).first()
    assert household["resources"] == ["cej"] and household["composition"] == "isolated_man"
    assert household["search_text"].startswith("kone adama")


async def test_unreadable_file_is_refused(database, host):
    result = await run_import(host, b"not a spreadsheet", "x.xlsx")
    assert result.problems and "fichier illisible" in result.problems[0]


def test_template_has_the_three_sheets_and_no_data_rows():
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["menages", "personnes", "accompagnements"]
    assert book["menages"].max_row == 1 and book["menages"]["A1"].comment is not None


async def test_upload_page(client, users):
    from tests.conftest import login

    csrf = await login(client, "head_of_service@test.fr")
    page = await client.get("/import")
    assert page.status_code == 200 and "menages" in page.text
    response = await client.post(
        "/import", data={"_csrf": csrf, "dry_run": "1"}, files={"file": ("annee.xlsx", GOOD)}
    )
    assert response.status_code == 200 and "simulation" in response.text
    assert await Household.count() == 0
    response = await client.post(
        "/import", data={"_csrf": csrf}, files={"file": ("annee.xlsx", GOOD)}
    )
    assert response.status_code == 200 and await Household.count() == 2
