"""Import of demands: all-or-nothing, every problem by row and column, dry run, stable ids."""

import io

from openpyxl import Workbook

from tests.plugins.rental_agency.helpers import ACTOR
from tremplin.models import Household
from tremplin.services import households as hh
from tremplin_rental_agency.importer import run_import
from tremplin_rental_agency.tables import Demand

HEADER = "id_externe;menage;date_enregistrement;statut;situation;problematiques;ressources_mensuelles;typologie;loyer_max\n"


async def _households() -> tuple[str, str]:
    a = await hh.create_household(ACTOR, {"name": "IMPORT Un"})
    await hh.create_household(ACTOR, {"name": "IMPORT Deux"}, external_id="ext-b")
    ref = (await Household.select(Household.reference).where(Household.id == a).first())[
        "reference"
    ]
    return ref, "ext-b"


async def test_all_or_nothing_with_every_problem(database):
    ref, _ = await _households()
    content = (
        HEADER
        + f"D1;{ref};15/01/2024;Enregistrée;Sans abri / rue;Loyer trop élevé;900,50;T2;550\n"
        + "D2;M-999999;32/01/2024;Acceptée;;;abc;T9;\n"
        + f"D1;{ref};15/01/2024;;;;;;\n"
    ).encode()
    result = await run_import(ACTOR, content, "demandes.csv")
    assert not result.ok
    text = "\n".join(result.problems)
    assert "ligne 3, colonne « menage »" in text
    assert "ligne 3, colonne « date_enregistrement »" in text
    assert "ligne 3, colonne « statut »" in text
    assert "ligne 3, colonne « ressources_mensuelles »" in text
    assert "ligne 3, colonne « typologie »" in text
    assert "ligne 4, colonne « id_externe » : « D1 » apparaît deux fois" in text
    assert await Demand.count() == 0


async def test_dry_run_then_import_then_reimport_updates(database):
    ref, ext = await _households()
    content = (
        HEADER
        + f"D1;{ref};15/01/2024;Reçue en permanence;Sans abri / rue;Loyer trop élevé, Autre;900,50;T2;550\n"
        + f"D2;{ext};2024-02-01;;third_party;;;;\n"
    ).encode()
    dry = await run_import(ACTOR, content, "demandes.csv", dry_run=True)
    assert dry.ok and dry.created == 2 and await Demand.count() == 0
    done = await run_import(ACTOR, content, "demandes.csv")
    assert done.ok and done.created == 2
    row = await Demand.select().where(Demand.external_id == "D1").first()
    assert row["status"] == "received" and row["situation"] == "street"
    assert row["problems"] == "too_expensive,other" and row["monthly_resources_cents"] == 90050
    # Same file again, with a corrected rent: updated, not duplicated.
    book = Workbook()
    sheet = book.active
    sheet.title = "demandes"
    sheet.append(["id_externe", "menage", "date_enregistrement", "loyer_max"])
    sheet.append(["D1", ref, "15/01/2024", 600])
    out = io.BytesIO()
    book.save(out)
    again = await run_import(ACTOR, out.getvalue(), "demandes.xlsx")
    assert again.ok and (again.created, again.updated) == (0, 1)
    assert await Demand.count() == 2
    row = await Demand.select().where(Demand.external_id == "D1").first()
    assert row["max_rent_cents"] == 60000 and row["version"] == 2


async def test_import_page(social_worker):
    page = await social_worker.get("/rental_agency/import")
    assert page.status_code == 200 and "id_externe" in page.text
    response = await social_worker.client.post(
        "/rental_agency/import",
        data={"_csrf": social_worker.csrf},
        files={"file": ("d.csv", b"id_externe;menage;date_enregistrement\n;;\nX;;\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "ligne 3, colonne « menage »" in response.text


async def test_the_report_lines_are_told_in_the_request_language(database):
    """The summary and the problems in French by default, in English under ``en``."""
    from tremplin.i18n import use_language

    ref, ext = await _households()
    good = (HEADER + f"D1;{ref};15/01/2024;;;;;;\n" + f"D2;{ext};2024-02-01;;;;;;\n").encode()
    dry = await run_import(ACTOR, good, "demandes.csv", dry_run=True)
    assert dry.summary() == (
        "Import (simulation) : 2 demande(s) créée(s), 0 mise(s) à jour (seraient écrites)."
    )
    with use_language("en"):
        assert dry.summary() == (
            "Import (simulation): 2 demand(s) created, 0 updated (would be written)."
        )
        bad = (HEADER + f"D1;{ref};15/01/2024;;;;;;\n" + f"D1;{ref};15/01/2024;;;;;;\n").encode()
        result = await run_import(ACTOR, bad, "demandes.csv")
        assert result.problems == ["row 3, column “id_externe”: “D1” appears twice"]
        assert result.summary() == "1 problem(s): nothing was imported."
    assert await Demand.count() == 0


async def test_a_future_date_is_refused_in_the_request_language(database):
    """The refusal raised inside the row's check is printed in the request's language."""
    from tremplin.i18n import use_language

    ref, _ = await _households()
    content = (HEADER + f"D1;{ref};15/01/2099;;;;;;\n").encode()
    result = await run_import(ACTOR, content, "demandes.csv")
    assert result.problems == ["ligne 2, colonne « date_enregistrement » : date dans le futur"]
    with use_language("en"):
        result = await run_import(ACTOR, content, "demandes.csv")
    assert result.problems == ["row 2, column “date_enregistrement”: date in the future"]
    assert await Demand.count() == 0
