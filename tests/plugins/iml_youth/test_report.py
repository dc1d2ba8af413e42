"""Youth IML: the CEJ report table, the timeline event types, the programme definition."""

from tests.core.test_access import _client
from tests.plugins.iml_youth.helpers import housed, young
from tremplin.api import Period, ReportContext
from tremplin_iml_youth.agreement import update_cej
from tremplin_iml_youth.report import cej_table


async def test_cej_table_counts_young_people_with_a_cej_and_suspended(database, host):
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
    _, third = await housed(host, name="TROIS Jeune")
    await update_cej(third, {"cej_start": "2022-01-01", "cej_end": "2022-12-31"}, None, "")
    await young(host, name="QUATRE Jeune", cej_start="2024-01-01")  # never entered
    ctx = ReportContext(
        programme="iml_youth", programme_name="IML jeunes", period=Period.year(2024)
    )
    (table,) = await cej_table(ctx)
    assert {r.key: r.count for r in table.rows} == {
        "young_people": 3,
        "with_cej": 2,
        "suspended": 1,
    }


async def test_yearly_report_has_the_cej_section(client, users, host, app):
    await housed(host, cej_start="2024-03-01", cej_end="2025-02-28")
    head, _ = await _client(app, "head_of_service@test.fr")
    response = await head.get("/reports/iml_youth/2024/json")
    assert response.status_code == 200
    assert (
        "Contrat d'Engagement Jeune (CEJ)" in response.text
        or "Contrat d\\u0027Engagement" in response.text
    )
    await head.aclose()


def test_programme_and_event_types(host):
    programme = host.programmes["iml_youth"]
    # Places are data the administrator sets per year (reports.capacity), not code.
    assert programme.places is None and programme.max_duration_months == 18
    assert programme.partner_notes and programme.prescribers[0].value == "mission_locale"
    youth = {t.key for t in host.event_types_for("iml_youth")}
    assert {"mission_locale_meeting", "tripartite_meeting"} <= youth
    assert "mission_locale_meeting" not in {t.key for t in host.event_types_for("iml_sublease")}
