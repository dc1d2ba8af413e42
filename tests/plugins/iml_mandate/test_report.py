"""The ASL tables (IML under mandate, simple and reinforced support, debt evolution, visits
and appointments) on a small fixture; every expected figure is worked out in the comments."""

import datetime as dt
import io
import json

import pypdf
from openpyxl import load_workbook

from tremplin.models import Enrolment, Household, Membership, Person, TimelineEvent
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_json, to_pdf, to_xlsx
from tremplin.services.clock import now
from tremplin.types import Period
from tremplin_iml_mandate.funding import set_funded
from tremplin_iml_mandate.tables import StabilisationAxis

D = dt.date
_n = {"i": 0}


async def _household(people: int = 1, gone: int = 0) -> int:
    """A household with ``people`` members present and ``gone`` who left on 30/06/2024."""
    _n["i"] += 1
    i = _n["i"]
    row = await Household.insert(
        Household(
            reference=f"M-{i:06d}",
            name=f"FOYER {i}",
            composition="isolated_man",
            resources=["rsa"],
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Household.id)
    household = row[0]["id"]
    for k in range(people + gone):
        person = await Person.insert(
            Person(
                first_name=f"P{k}",
                last_name=str(i),
                birth_date=D(1980, 1, 1),
                sex="F",
                created_at=now(),
            )
        ).returning(Person.id)
        await Membership.insert(
            Membership(
                household=household,
                person=person[0]["id"],
                relation="reference" if k == 0 else "child",
                start_date=D(2020, 1, 1),
                end_date=D(2024, 6, 30) if k >= people else None,
            )
        )
    return household


async def _enrol(
    programme,
    state,
    *,
    decision=None,
    entry=None,
    exit_=None,
    destination="",
    data=None,
    people=1,
    gone=0,
) -> tuple[int, int]:
    household = await _household(people, gone)
    row = await Enrolment.insert(
        Enrolment(
            household=household,
            programme=programme,
            state=state,
            referral_date=D(2022, 12, 1),
            prescriber="siao",
            decision_date=decision,
            entry_date=entry,
            exit_date=exit_,
            exit_destination=destination,
            data=data or {},
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Enrolment.id)
    return household, row[0]["id"]


async def _event(household, kind, programme, when_utc):
    await TimelineEvent.insert(
        TimelineEvent(
            household=household,
            kind=kind,
            occurred_at=when_utc,
            programme=programme,
            title=kind,
            created_at=now(),
        )
    )


async def _axis(enrolment, household, axis, progress):
    await StabilisationAxis.insert(
        StabilisationAxis(
            enrolment=enrolment,
            household=household,
            axis=axis,
            goals="objectif",
            progress=progress,
            reviewed_on=D(2024, 6, 1),
            updated_at=now(),
        )
    )


UTC = dt.UTC


async def asl_fixture():
    M = "iml_mandate"
    # A: support 10/06/2023 → 31/03/2024, stayed. 2 people. 2024: 01/01→31/03 = 3 months;
    #    whole support 10/06/2023→31/03/2024 = 9 whole months + started = 10.
    a, _ = await _enrol(
        M,
        "exited",
        decision=D(2023, 6, 10),
        entry=D(2023, 7, 1),
        exit_=D(2024, 3, 31),
        destination="stayed",
        people=2,
    )
    # B: support from 15/02/2024, lease 01/03/2024, ongoing. 3 people + 1 gone on 30/06.
    #    15/02→14/12 = 10 whole, then 15→31/12 started = 11.
    b, b_id = await _enrol(
        M, "housed", decision=D(2024, 2, 15), entry=D(2024, 3, 1), people=3, gone=1
    )
    # C: pre-entry since 05/11/2024: 05/11→04/12 = 1, started → 2.
    await _enrol(M, "pre_entry", decision=D(2024, 11, 5))
    # D: 10/01/2024 → 09/12/2024, public housing: exactly 11 months.
    d, d_id = await _enrol(
        M,
        "exited",
        decision=D(2024, 1, 10),
        entry=D(2024, 2, 1),
        exit_=D(2024, 12, 9),
        destination="public_housing",
    )
    # G: started 01/04/2024, withdrawn 20/05/2024 before any lease: April + started May = 2.
    await _enrol(M, "withdrawn", decision=D(2024, 4, 1), exit_=D(2024, 5, 20))
    # Not counted: ended in 2023, refused, referral only, starts in 2025.
    await _enrol(
        M,
        "exited",
        decision=D(2023, 1, 10),
        entry=D(2023, 2, 1),
        exit_=D(2023, 12, 31),
        destination="stayed",
    )
    await _enrol(M, "refused", decision=D(2024, 5, 1))
    await _enrol(M, "referral")
    await _enrol(M, "pre_entry", decision=D(2025, 1, 5))
    await set_funded({"programme": M, "year": "2024", "funded": "20", "funder": "État"}, None, "")
    await set_funded({"programme": M, "year": "2023", "funded": "18"}, None, "")

    # Visits and appointments. 01/01/2024 00:30 in Paris is 31/12/2023 23:30 UTC: counted;
    # 31/12/2023 23:30 in Paris is 22:30 UTC: not counted; 31/12/2024 23:30 Paris: counted.
    await _event(b, "home_visit", M, dt.datetime(2023, 12, 31, 23, 30, tzinfo=UTC))
    await _event(b, "home_visit", M, dt.datetime(2023, 12, 31, 22, 30, tzinfo=UTC))
    await _event(b, "home_visit", M, dt.datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
    await _event(d, "home_visit", M, dt.datetime(2024, 12, 31, 22, 30, tzinfo=UTC))
    await _event(a, "office_appointment", M, dt.datetime(2024, 2, 1, 9, 0, tzinfo=UTC))
    await _event(d, "office_appointment", M, dt.datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    await _event(d, "note", M, dt.datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    await _event(d, "home_visit", "housing_support", dt.datetime(2024, 4, 1, 9, 0, tzinfo=UTC))

    await _axis(b_id, b, "budget", "in_progress")
    await _axis(b_id, b, "employment", "achieved")
    await _axis(b_id, b, "health", "not_started")
    await _axis(d_id, d, "budget", "achieved")

    S = "housing_support"
    simple = {"measure_kind": "simple", "trigger": "arrears"}
    await _enrol(S, "exited", entry=D(2024, 3, 15), exit_=D(2024, 6, 14), data=simple)  # 3
    await _enrol(S, "exited", entry=D(2024, 3, 15), exit_=D(2024, 6, 20), data=simple)  # 4
    await _enrol(S, "exited", entry=D(2023, 11, 10), exit_=D(2024, 2, 20), data=simple)  # 2
    await _enrol(S, "active", entry=D(2024, 10, 15), data=simple)  # 3
    await _enrol(S, "exited", entry=D(2023, 1, 1), exit_=D(2023, 12, 31), data=simple)  # out
    r = {"measure_kind": "reinforced"}
    # R1 08/01 ongoing = 12, debt cleared.
    await _enrol(
        S, "active", entry=D(2024, 1, 8), data={**r, "debt_at_entry": 100_000, "debt_latest": 0}
    )
    # R2 01/02→31/07 = 6, plan kept, 50 € left.
    await _enrol(
        S,
        "exited",
        entry=D(2024, 2, 1),
        exit_=D(2024, 7, 31),
        data={**r, "debt_at_entry": 50_000, "debt_latest": 5_000, "plan_kept": True},
    )
    # R3 20/05 ongoing = 7 whole + started = 8; plan not kept, 800 € → 696 €: -13 %.
    await _enrol(
        S,
        "active",
        entry=D(2024, 5, 20),
        data={**r, "debt_at_entry": 80_000, "debt_latest": 69_600, "plan_kept": False},
    )
    # R4 01/06→30/11 = 6, no debt at entry.
    await _enrol(S, "exited", entry=D(2024, 6, 1), exit_=D(2024, 11, 30), data=r)
    # R5 01/09 ongoing = 4, debt at entry, latest amount never recorded.
    await _enrol(S, "active", entry=D(2024, 9, 1), data={**r, "debt_at_entry": 30_000})


def _tables(report, programme):
    data = json.loads(to_json(report))
    prog = next(p for p in data["programmes"] if p["key"] == programme)
    return {t["key"]: t for s in prog["sections"] for t in s["tables"]}


def _rows(table):
    return {row["key"] or row["label"]: row["count"] for row in table["rows"]}


def _percents(table):
    return {row["key"] or row["label"]: row["percent"] for row in table["rows"]}


async def test_asl_tables_in_json_and_pdf(database, host):
    await asl_fixture()
    report = await build_report(host, ["iml_mandate", "housing_support"], Period.year(2024), "ASL")
    mandate = _tables(report, "iml_mandate")
    assert _rows(mandate["mandate_overview"]) == {
        "households": 5,  # A, B, C, D, G
        "people": 8,  # 2 + 3 (one left in June) + 1 + 1 + 1
        "pre_entry": 1,  # C
        "starts": 4,  # B, C, D, G
        "leases": 2,  # B, D
        "ends": 2,  # A, D (G withdrew: not an end of support)
        "months_measures": 29,  # 3 + 11 + 2 + 11 + 2
        "average_duration": 10.5,  # (10 + 11) / 2
    }
    assert _rows(mandate["mandate_funding"]) == {
        "funded": 20,
        "starts": 4,
        "used": 2.4,  # 29 / 12 = 2.42
        "rate": 12.0,  # 2.4 / 20
    }
    assert _rows(mandate["mandate_outcomes"]) == {
        "stayed": 1,
        "agency_stock": 0,
        "public_housing": 1,
        "family": 0,
        "care_home": 0,
        "other": 0,
    }
    assert _percents(mandate["mandate_outcomes"])["stayed"] == 50.0
    assert mandate["mandate_outcomes"]["total"] == 2
    assert _rows(mandate["mandate_contacts"]) == {"home_visit": 3, "office_appointment": 2}
    assert mandate["mandate_contacts"]["total"] == 5
    axes = _rows(mandate["mandate_axes"])
    assert (axes["budget"], axes["employment"], axes["health"], axes["upkeep"]) == (2, 1, 0, 0)
    assert _percents(mandate["mandate_axes"])["budget"] == 40.0  # 2 of 5 supports
    note = mandate["mandate_axes"]["note"]
    assert "budget 1," in note and "emploi et insertion professionnelle 1," in note
    assert "situation administrative 0," in note

    support = _tables(report, "housing_support")
    assert _rows(support["measures_simple"]) == {
        "households": 4,
        "measures": 4,
        "months_measures": 12,  # 3 + 4 + 2 + 3
        "average_duration": 3.0,
    }  # 12 / 4
    assert _rows(support["measures_reinforced"]) == {
        "households": 5,
        "measures": 5,
        "months_measures": 36,  # 12 + 6 + 8 + 6 + 4
        "average_duration": 7.2,
    }  # 36 / 5
    debt = support["debt_evolution"]
    assert _rows(debt) == {
        "with_debt": 4,
        "cleared": 1,
        "nearly_cleared": 1,
        "plan_not_kept": 1,
        "unknown": 1,
        "plan_not_kept_change": -13.0,
    }
    assert _percents(debt)["cleared"] == 25.0
    assert debt["title"].endswith("(situation au 31/12/2024)")
    assert _rows(support["measures_funding"]) == {
        "funded": 0,
        "used": 4.0,
        "rate": 0,
    }  # (12 + 36) / 12; CAF figure not set
    assert "non renseigné" in support["measures_funding"]["note"]
    assert _rows(support["measures_contacts"]) == {"home_visit": 1, "office_appointment": 0}

    book = load_workbook(io.BytesIO(to_xlsx(report)))
    cells = {k: v[0] for k, v in sheet_table(book, "Ménages accompagnés en IML").items()}
    assert cells["Mois-mesures"] == 29 and isinstance(cells["Mois-mesures"], int)
    # Value, N-1 (previous value, change), share.
    debt_cells = {
        k: (v[0], v[3]) for k, v in sheet_table(book, "Dette locative à l'entrée").items()
    }
    assert debt_cells["N'ont plus de dette"] == (1, 0.25)  # a share: 25 % as a fraction

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    text = " ".join(text.split())  # a long label may wrap in its column (N-1 columns beside)
    for line in [
        "Mois-mesures 29",
        "Durée moyenne des accompagnements terminés (mois) 10,5",
        "Visites à domicile 3",
        "Rendez-vous au bureau 2",
        "Mois-mesures 36",
        "Durée moyenne d’accompagnement (mois) 7,2",
        "Mesures financées (2024) 20",
    ]:
        assert line.replace("’", "'") in text.replace("’", "'"), line


async def test_other_year_uses_its_own_funding(database, host):
    await asl_fixture()
    report = await build_report(host, ["iml_mandate"], Period.year(2023), "ASL")
    mandate = _tables(report, "iml_mandate")
    rows = _rows(mandate["mandate_overview"])
    # 2023: A (10/06→31/12 = 6 whole + started = 7) and the file ended on 31/12/2023
    # (10/01→31/12 = 11 whole + started = 12).
    assert (rows["households"], rows["ends"], rows["months_measures"]) == (2, 1, 19)
    assert _rows(mandate["mandate_funding"])["funded"] == 18


def sheet_table(book, title_start: str) -> dict:
    """The rows (label → values) of the table whose title starts with ``title_start``,
    stacked in a programme's sheet of the report workbook."""
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if isinstance(row[0], str) and row[0].startswith(title_start):
                out = {}
                for r in rows[i + 1 :]:
                    if not r or r[0] is None:
                        return out
                    out[r[0]] = r[1:]
                return out
    raise KeyError(title_start)
