"""The activity report in English: every built-in plugin's sections (titles, table titles,
notes, row labels, the programme's own choices in the common tables) come out in English.

Each case reuses the fixture of the plugin's own report test, builds the report in French,
localises it and compares label by label: a label that stays identical must be one of the
few words that are the same in both languages. The English PDF is compiled and read back.
"""

import datetime as dt
import io
import re

import pypdf
import pytest

from tremplin.api import Period, ReportSection
from tremplin.reports.engine import build_report, localise
from tremplin.reports.export import to_pdf
from tremplin.reports.i18n import Translator, translate_report
from tremplin.services.clock import now

#: Labels written the same in French and English.
SAME = {"Budget", "SIAO", "CHRS", "Places", "DALO / PDALHPD"}
ACCENTS = re.compile("[éèêàâùûôîçœÉÈÀÇ]")


async def _iml_sublease(host):
    from tests.plugins.iml_sublease.test_report_fidelity import la_clede_2024

    await la_clede_2024()
    return ["iml_sublease"], {"reinforced"}


async def _housing(host):
    from tests.plugins.housing.test_report import _fixture

    await _fixture()
    return ["iml_sublease", "iml_youth"], {"housing"}


async def _iml_mandate(host):
    from tests.plugins.iml_mandate.test_report import asl_fixture

    await asl_fixture()
    return ["iml_mandate", "housing_support"], {"mandate", "measures"}


async def _boarding_house(host):
    from tests.plugins.boarding_house.test_report import KEY, fixture

    await fixture(host)
    return [KEY], {"boarding_house"}


async def _social_residence(host):
    from tests.plugins.social_residence.test_report import KEY, fixture

    await fixture(host)
    return [KEY], {"social_residence"}


async def _iml_youth(host):
    from tests.plugins.iml_youth.helpers import housed
    from tremplin_iml_youth.agreement import update_cej

    _, first = await housed(host, name="UN Jeune")
    await update_cej(first, {"cej_start": "2024-03-01", "cej_end": "2025-02-28"}, None, "")
    _, second = await housed(host, name="DEUX Jeune")
    await update_cej(
        second,
        {
            "cej_start": "2023-06-01",
            "cej_end": "2024-05-31",
            "cej_suspended": "on",
            "cej_suspended_on": "2024-02-01",
        },
        None,
        "",
    )
    return ["iml_youth"], {"cej"}


async def _alter_logement(host):
    from tests.plugins.alter_logement.test_alter_logement import sheltered

    await sheltered(
        host,
        "UN Alice",
        "1985-03-01",
        children=("2004-06-01", "2015-02-01"),
        exit="2024-10-01",
        destination="sliding_lease",
    )
    await sheltered(
        host,
        "DEUX Binta",
        "1992-07-01",
        children=("2018-01-01",),
        situation="hotel",
        entry="2023-06-01",
    )
    await sheltered(
        host,
        "TROIS Chloé",
        "1999-09-09",
        situation="third_party",
        entry="2024-03-01",
        exit="2024-11-15",
        destination="third_party",
    )
    return ["alter_logement"], {"alter_logement"}


async def _cllaj(host):
    from tests.plugins.cllaj.test_report import desk_fixture, enrolment
    from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART
    from tremplin_cllaj.tables import Workshop

    await desk_fixture()
    await Workshop.insert(
        Workshop(
            held_on=dt.date(2024, 2, 1),
            theme="Budget",
            audience="young",
            co_facilitator="ML",
            attendees=8,
            created_at=now(),
        )
    )
    await enrolment(
        BAIL, "2024-01-15", "2024-07-14", "maintained", data={"landlord_kind": "public"}
    )
    await enrolment(JAPPART, "2023-05-01", "2024-03-01", "association_sliding")
    await enrolment(GLISSANT, "2024-02-01", state="housed", decision="2024-01-20")
    return [BAIL, JAPPART, GLISSANT], {
        "cllaj_desk",
        "cllaj_workshops",
        "cllaj_bail",
        "cllaj_jappart",
        "cllaj_glissant",
    }


CASES = {
    "iml_sublease": _iml_sublease,
    "housing": _housing,
    "iml_mandate": _iml_mandate,
    "boarding_house": _boarding_house,
    "social_residence": _social_residence,
    "iml_youth": _iml_youth,
    "alter_logement": _alter_logement,
    "cllaj": _cllaj,
}


def _pairs(french, english):
    """(section, where, French, English) for every translatable string of the report."""
    for c_fr, c_en in zip(french["programmes"], english["programmes"], strict=True):
        for s_fr, s_en in zip(c_fr["sections"], c_en["sections"], strict=True):
            assert s_fr["error"] is None, s_fr
            section = s_fr["key"]
            yield section, section, s_fr["title"], s_en["title"]
            for t_fr, t_en in zip(s_fr["tables"], s_en["tables"], strict=True):
                where = f"{c_fr['key']}/{t_fr['key']}"
                yield section, where, t_fr["title"], t_en["title"]
                if t_fr["note"]:
                    yield section, where, t_fr["note"], t_en["note"]
                for r_fr, r_en in zip(t_fr["rows"], t_en["rows"], strict=True):
                    if r_fr["key"].isdigit():  # a house's name
                        continue
                    yield section, f"{where}/{r_fr['key']}", r_fr["label"], r_en["label"]


@pytest.mark.parametrize("plugin", sorted(CASES))
async def test_every_label_of_the_plugin_sections_is_in_english(database, host, plugin):
    programmes, own = await CASES[plugin](host)
    french = await build_report(host, programmes, Period.year(2024), "ASL")
    english = localise(french, host, "en")
    assert english["lang"] == "en"
    sections = {s["key"] for c in french["programmes"] for s in c["sections"] if s["tables"]}
    assert own <= sections, own - sections  # the plugin's sections have tables to check
    pairs = list(_pairs(french, english))
    left = [(where, fr) for _, where, fr, en in pairs if fr == en and fr not in SAME]
    assert left == []
    # Place names (row keys "sessions:<place>") may hold accents; nothing else may.
    accented = [
        (where, en)
        for _, where, _, en in pairs
        if ACCENTS.search(en) and ":" not in where.rsplit("/", 1)[-1]
    ]
    assert accented == []
    assert len([fr for section, _, fr, _ in pairs if section in own]) >= 4


async def test_the_english_pdf_prints_a_plugin_table_in_english(database, host):
    programmes, _ = await _boarding_house(host)
    french = await build_report(host, programmes, Period.year(2024), "ASL")
    english = localise(french, host, "en")
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(to_pdf(english))).pages
    )
    for line in (
        "Units per boarding house",
        "Community life",
        "People housed 6",
        "of whom children (under 18) 1",
        "Exits 2",
        "Social housing 1",
    ):
        assert line in text, line
    for french_label in ("Logements par pension de famille", "Vie collective", "Personnes logées"):
        assert french_label not in text, french_label


async def test_group_and_whole_stock_chapters_are_in_english(database, host):
    """The chapter of a group (« IML ») adds up its members' tables and the whole-stock
    chapter is the housing plugin's: both take their plugins' English, as the programme
    chapters do, in the data and in the PDF."""
    await _housing(host)
    french = await build_report(
        host, "all", Period.year(2024), "ASL", (("IML", ("iml_sublease", "iml_youth")),)
    )
    kinds = {c["key"]: c["kind"] for c in french["programmes"]}
    assert "group" in kinds.values() and "association" in kinds.values()
    english = localise(french, host, "en")
    chapters = [
        (fr, en)
        for fr, en in zip(french["programmes"], english["programmes"], strict=True)
        if fr["kind"] in ("group", "association")
    ]
    stock = next(en for fr, en in chapters if fr["kind"] == "association")
    assert stock["name"] == "The association's housing stock"
    pairs = [
        pair for fr, en in chapters for pair in _pairs({"programmes": [fr]}, {"programmes": [en]})
    ]
    sections = {s for s, *_ in pairs}
    assert {"indicators", "housing_stock"} <= sections, sections
    assert len(pairs) > 60
    left = [(where, fr) for _, where, fr, en in pairs if fr == en and fr not in SAME]
    assert left == []
    accented = [(where, en) for _, where, _, en in pairs if ACCENTS.search(en)]
    assert accented == []
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(to_pdf(english))).pages
    )
    for line in ("The association's housing stock", "Dwellings under management"):
        assert line in text, line
    assert "Parc de logements de l'association" not in text
    assert "Parc de logements en gestion" not in text


def test_plugin_labels_come_first_then_the_core_then_the_french():
    report = {
        "association": "A",
        "period": {},
        "generated_at": "",
        "programmes": [
            {
                "key": "p",
                "name": "Prog",
                "places": None,
                "empty": False,
                "sections": [
                    {
                        "key": "own",
                        "title": "Section",
                        "error": None,
                        "activity": False,
                        "tables": [
                            {
                                "key": "t",
                                "title": "Impayés au 31/12/2024",
                                "note": "",
                                "total": None,
                                "unit": "",
                                "chart": None,
                                "rows": [
                                    {"label": "Sorties", "count": 1, "percent": None, "key": "a"},
                                    {"label": "Femme", "count": 1, "percent": None, "key": "b"},
                                    {"label": "Inconnu", "count": 1, "percent": None, "key": "c"},
                                ],
                            }
                        ],
                    },
                    {
                        "key": "other",
                        "title": "Section",
                        "error": "section indisponible (erreur du plugin x)",
                        "activity": False,
                        "tables": [],
                    },
                ],
            }
        ],
    }
    labels = {
        ("p", "own"): {
            "Section": "Part",
            "Sorties": "Leavers",
            "Impayés au {date}": "Arrears at {date}",
        }
    }
    out = translate_report(report, {"p": "Programme"}, labels)
    own, other = out["programmes"][0]["sections"]
    assert out["programmes"][0]["name"] == "Programme"
    assert own["title"] == "Part" and other["title"] == "Section"  # not another section's
    assert own["tables"][0]["title"] == "Arrears at 31/12/2024"
    assert [r["label"] for r in own["tables"][0]["rows"]] == ["Leavers", "Woman", "Inconnu"]
    assert other["error"] == "section unavailable (plugin x failed)"
    assert report["programmes"][0]["sections"][0]["title"] == "Section"  # the original is kept
    assert Translator({"A {x} b": "C {x} d"})("A 12 b") == "C 12 d"
    assert Translator({"A {x} {x}": "B", "{1}": "C"})("A 1 2") == "A 1 2"  # bad keys ignored


def test_a_section_declares_its_english_labels():
    section = ReportSection("k", "Titre", "p", None, labels_en={"Titre": "Title"})
    assert section.labels_en["Titre"] == "Title"
    assert ReportSection("k", "Titre", "p", None).labels_en == {}


REPORT_MODULES = (
    "alter_logement.report",
    "boarding_house.report",
    "cllaj.report",
    "cllaj.report_desk",
    "housing.report",
    "iml_mandate.report",
    "iml_sublease.report",
    "iml_youth.report",
    "rental_agency.report",
    "social_residence.report",
)


@pytest.mark.parametrize("module", REPORT_MODULES)
def test_every_choice_a_report_module_prints_has_its_english(host, module):
    """Choices that count zero in the fixtures (and are then left out) are checked here:
    each choice list a report module uses, and each programme's prescribers, exit
    destinations and contact kinds (printed in the common tables)."""
    import importlib

    from tremplin.api import Choice
    from tremplin.reports.engine import _sections_for
    from tremplin.reports.i18n import EN

    mod = importlib.import_module(f"tremplin_{module}")
    plugin = module.split(".")[0]
    lists = [
        v
        for v in vars(mod).values()
        if isinstance(v, tuple) and v and all(isinstance(c, Choice) for c in v)
    ]
    if module == "housing.report":
        from tremplin_housing.maintenance import PROVIDERS

        lists.append(PROVIDERS)
    labels_mod = importlib.import_module(f"tremplin_{plugin}.report")
    labels = {**EN, **labels_mod.LABELS_EN}
    missing = [c.label for choices in lists for c in choices if c.label not in labels]
    assert missing == []
    for key, programme in host.programmes.items():
        sections = [s for _, s in _sections_for(host, key) if s.programme == key]
        if not any(s.labels_en is labels_mod.LABELS_EN for s in sections):
            continue
        own = {**EN, **{k: v for s in sections for k, v in s.labels_en.items()}}
        printed = [c.label for c in (*programme.prescribers, *programme.exit_destinations)]
        printed += [e.label for e in host.event_types.values() if e.contact and e.programme == key]
        assert [label for label in printed if label not in own] == [], key
