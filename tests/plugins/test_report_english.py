"""The activity report in English: every built-in plugin's sections (titles, table titles,
notes, row labels, the programme's own choices in the common tables) come out in English.

Each case reuses the fixture of the plugin's own report test, builds the report in French
and in English (the labels are translated through the plugins' gettext catalogues as the
sections produce them) and compares label by label: a label that stays identical must be
one of the few words that are the same in both languages. The English PDF is compiled and
read back.
"""

import datetime as dt
import io
import re

import pypdf
import pytest

from tremplin import i18n
from tremplin.api import IndicatorRow, IndicatorTable, Period, ReportSection
from tremplin.reports.engine import ReportError, build_report
from tremplin.reports.export import to_pdf
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
    english = await build_report(host, programmes, Period.year(2024), "ASL", language="en")
    assert english["lang"] == "en" and french["lang"] == "fr"
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
    english = await build_report(host, programmes, Period.year(2024), "ASL", language="en")
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


async def test_labels_are_translated_before_formatting_and_unknown_ones_stay(
    database, host, monkeypatch
):
    """A section's labels go through its package's catalogue then the core's; a label with
    variable parts is translated by the section before its date is formatted; a label no
    catalogue knows is printed as written; an unknown language is refused."""

    async def compute(ctx):
        return [
            IndicatorTable(
                "t",
                i18n.domain("tremplin_housing")
                .gettext("Impayés au {date} : dette totale")
                .format(date=i18n.format_date(ctx.period.end, "long")),
                (
                    IndicatorRow("Sorties", 1, key="a"),  # the core's catalogue
                    IndicatorRow("Femme", 2, key="b"),
                    IndicatorRow("Inconnu du catalogue", 3, key="c"),
                ),
            )
        ]

    section = ReportSection("own", "Indicateurs", "p", compute)
    key = next(iter(host.programmes))
    declared = host.report_sections(key)
    monkeypatch.setattr(host, "report_sections", lambda programme: [*declared, ("test", section)])
    report = await build_report(host, [key], Period.year(2024), "A", language="en")
    french = await build_report(host, [key], Period.year(2024), "A")
    own = next(s for s in report["programmes"][0]["sections"] if s["key"] == "own")
    table = own["tables"][0]
    assert own["title"] == "Indicators"
    assert table["title"] == "Rent arrears at 31 December 2024: total debt"
    assert [r["label"] for r in table["rows"]] == ["Exits", "Woman", "Inconnu du catalogue"]
    assert report["words"]["report"] == "Activity report"
    assert report["programmes"][0]["name"] == host.programmes[key].name_en
    fr_table = next(s for s in french["programmes"][0]["sections"] if s["key"] == "own")
    assert fr_table["tables"][0]["title"] == "Impayés au 31 décembre 2024 : dette totale"
    assert french["words"]["report"] == "Rapport d’activité"
    with pytest.raises(ReportError):
        await build_report(host, [key], Period.year(2024), "A", language="de")


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
    from tremplin.reports.engine import _sections_for, section_domain

    mod = importlib.import_module(f"tremplin_{module}")
    plugin = module.split(".")[0]
    translate = i18n.domain(f"tremplin_{plugin}").gettext
    lists = [
        v
        for v in vars(mod).values()
        if isinstance(v, tuple) and v and all(isinstance(c, Choice) for c in v)
    ]
    if module == "housing.report":
        from tremplin_housing.maintenance import PROVIDERS

        lists.append(PROVIDERS)
    with i18n.use_language("en"):
        missing = [c.label for choices in lists for c in choices if translate(c.label) == c.label]
        assert [m for m in missing if m not in SAME] == []
        for key, programme in host.programmes.items():
            sections = [s for _, s in _sections_for(host, key) if s.programme == key]
            if not any(section_domain(s).name == f"tremplin_{plugin}" for s in sections):
                continue
            printed = [c.label for c in (*programme.prescribers, *programme.exit_destinations)]
            printed += [
                e.label for e in host.event_types.values() if e.contact and e.programme == key
            ]
            left = [label for label in printed if translate(label) == label]
            assert [label for label in left if label not in SAME] == [], key


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
    english = await build_report(
        host,
        "all",
        Period.year(2024),
        "ASL",
        (("IML", ("iml_sublease", "iml_youth")),),
        language="en",
    )
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
