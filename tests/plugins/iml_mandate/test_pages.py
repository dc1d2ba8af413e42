"""Pages: the panels on the household page, the stabilisation-axis form (CSRF, a refused
form keeping what was typed with a French error, htmx), the health axis reserved to
sensitive-data users, the funded-measures page for managers, a refused lease in the UI."""

import re

import httpx

from tests.conftest import login
from tests.plugins.housing.helpers import entry_values
from tests.plugins.iml_mandate.helpers import housed, referral, started
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin_iml_mandate.tables import FundedMeasures, StabilisationAxis


async def test_household_page_shows_the_support_and_axes(social_worker, host):
    household_id, _ = await started(host, start="2024-01-15", ddets_agreement_date="2024-01-20")
    page = await social_worker.get(f"/households/{household_id}")
    assert page.status_code == 200
    assert "Accompagnement global" in page.text and "depuis le 15/01/2024" in page.text
    assert "(12 mois : 14/01/2025)" in page.text
    assert "Accord préalable de la DDETS : 20/01/2024" in page.text
    assert "aucun bail enregistré dans la gestion locative" in page.text
    assert "Axes de stabilisation dans le logement" in page.text
    assert "Famille et parentalité" in page.text
    # The social worker has no access to sensitive data: the health axis stays closed.
    assert "donnée de santé : accès réservé" in page.text
    assert "/axes/health" not in page.text
    assert "/axes/budget" in page.text


async def test_axis_form_refused_then_saved(social_worker, host):
    household_id, enrolment_id = await started(host)
    url = f"/iml_mandate/enrolments/{enrolment_id}/axes/budget"
    refused = await social_worker.post(
        url,
        {
            "budget_goals": "",
            "budget_progress": "in_progress",
            "budget_reviewed_on": "2024-02-01",
            "budget_comment": "Point budget avec la conseillère ESF",
        },
    )
    assert refused.status_code == 422
    assert "indiquez les objectifs avant de noter un avancement" in refused.text
    assert 'id="f-budget_goals" name="budget_goals" rows="4" aria-invalid="true"' in refused.text
    assert "Point budget avec la conseillère ESF" in refused.text  # what was typed is kept
    assert "<h1>Axes de stabilisation</h1>" in refused.text  # a whole page without htmx
    assert await StabilisationAxis.count() == 0

    saved = await social_worker.post(
        url,
        {
            "budget_goals": "Mettre en place un budget mensuel",
            "budget_progress": "in_progress",
            "budget_reviewed_on": "2024-02-01",
            "budget_comment": "",
        },
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "<h1>" not in saved.text  # the panel only, swapped in place
    assert "<strong>Budget</strong> : En cours" in saved.text
    assert "Mettre en place un budget mensuel" in saved.text
    row = (
        await StabilisationAxis.select().where(StabilisationAxis.enrolment == enrolment_id).first()
    )
    assert (row["axis"], row["progress"], row["household"]) == (
        "budget",
        "in_progress",
        household_id,
    )
    event = (
        await TimelineEvent.select()
        .where(
            (TimelineEvent.household == household_id) & (TimelineEvent.kind == "stabilisation_axis")
        )
        .first()
    )
    assert event["title"] == "Axe « Budget » : En cours"
    audit = (
        await AuditEntry.select()
        .where(
            (AuditEntry.object_type == "enrolment")
            & (AuditEntry.object_id == enrolment_id)
            & (AuditEntry.action == "update")
        )
        .output(load_json=True)
        .first()
    )
    assert audit["user_id"] == social_worker.user.id
    assert "axis.budget.goals" in audit["fields"]
    assert "Mettre" not in str(audit["fields"])  # field names, never values

    # Updating the same axis keeps one row.
    again = await social_worker.post(
        url,
        {
            "goals": "Mettre en place un budget mensuel",
            "progress": "achieved",
            "reviewed_on": "2024-05-01",
        },
    )
    assert again.status_code == 303
    rows = await StabilisationAxis.select().where(StabilisationAxis.enrolment == enrolment_id)
    assert [(r["axis"], r["progress"]) for r in rows] == [("budget", "achieved")]


async def test_axis_route_guards(client, social_worker, host):
    _, enrolment_id = await started(host)
    url = f"/iml_mandate/enrolments/{enrolment_id}/axes/budget"
    form = {"goals": "x", "progress": "in_progress", "reviewed_on": "2024-02-01"}
    # Without the CSRF token.
    assert (await client.post(url, data=form)).status_code == 403
    # The health axis needs the sensitive-data permission.
    health = await social_worker.post(f"/iml_mandate/enrolments/{enrolment_id}/axes/health", form)
    assert health.status_code == 403
    assert (
        await social_worker.post(f"/iml_mandate/enrolments/{enrolment_id}/axes/nope", form)
    ).status_code == 404
    _, other = await referral(host, "housing_support")
    assert (
        await social_worker.post(f"/iml_mandate/enrolments/{other}/axes/budget", form)
    ).status_code == 404
    # Axes are closed before the support starts.
    _, waiting = await referral(host)
    closed = await social_worker.post(
        f"/iml_mandate/enrolments/{waiting}/axes/budget", form, headers={"HX-Request": "true"}
    )
    assert closed.status_code == 422
    assert "Les axes ne se modifient que pendant l&#39;accompagnement." in closed.text


async def test_lease_refused_in_the_ui_without_ddets_agreement(social_worker, host):
    household_id, enrolment_id = await started(host)
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    form = await social_worker.get(f"/enrolments/{enrolment_id}/transitions/enter")
    assert "Date de signature du contrat d&#39;adhésion" in form.text
    assert "Les logements libres du programme" in form.text  # the dwelling is asked here
    refused = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/enter",
        {
            "entry_date": "2024-03-01",
            "adherence_contract_date": "2024-03-01",
            **await entry_values("iml_mandate"),
            "version": str(version),
        },
    )
    assert refused.status_code == 422
    assert "L&#39;accord préalable de la DDETS doit être enregistré" in refused.text
    assert (await Enrolment.select(Enrolment.state).where(Enrolment.id == enrolment_id).first())[
        "state"
    ] == "pre_entry"


async def test_measure_panel(social_worker, host):
    household_id, enrolment_id = await referral(
        host,
        "housing_support",
        measure_kind="reinforced",
        debt_at_entry="800,00",
        debt_latest="696,00",
    )
    from tests.plugins.iml_mandate.helpers import move

    await move(
        host,
        enrolment_id,
        "start",
        entry_date="2024-05-20",
        contract_date="2024-05-20",
        contract_goals="Reprendre le paiement du loyer",
    )
    page = await social_worker.get(f"/households/{household_id}")
    assert "Accompagnement renforcé" in page.text
    assert "Contrat renforcé jusqu'au 19/11/2024" in page.text
    assert (
        "Dette à l'entrée : 800,00\u00a0€ ; dernier montant connu : 696,00\u00a0€ — " in page.text
    )
    assert "Ne respectent pas le plan d&#39;apurement (évolution de la dette : -13 %)" in page.text


async def _session(app, email):
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 9)), base_url="http://t.local"
    )
    return c, await login(c, email)


async def test_funding_page_for_managers_only(app, client, users, social_worker):
    assert (await social_worker.get("/iml_mandate/funding")).status_code == 403
    assert (
        await social_worker.post(
            "/iml_mandate/funding", {"programme": "iml_mandate", "year": "2024", "funded": "20"}
        )
    ).status_code == 403
    head, csrf = await _session(app, "head_of_service@test.fr")
    try:
        page = await head.get("/iml_mandate/funding")
        assert page.status_code == 200 and "Aucun financement enregistré." in page.text
        refused = await head.post(
            "/iml_mandate/funding",
            data={
                "_csrf": csrf,
                "programme": "iml_mandate",
                "year": "2024",
                "funded": "-3",
                "funder": "DDETS de la Loire",
            },
        )
        assert refused.status_code == 422
        assert "la valeur minimale est 0" in refused.text
        assert "Le formulaire n'a pas été enregistré." in refused.text
        assert re.search(r'name="year" type="number" value="2024"', refused.text)
        assert 'value="DDETS de la Loire"' in refused.text
        saved = await head.post(
            "/iml_mandate/funding",
            data={
                "_csrf": csrf,
                "programme": "iml_mandate",
                "year": "2024",
                "funded": "20",
                "funder": "DDETS de la Loire",
            },
        )
        assert saved.status_code == 303
        rows = await FundedMeasures.select(
            FundedMeasures.programme, FundedMeasures.year, FundedMeasures.funded
        )
        assert rows == [{"programme": "iml_mandate", "year": 2024, "funded": 20}]
        listing = await head.get("/iml_mandate/funding")
        assert "<td>2024</td><td>IML en mandat de gestion</td><td>20</td>" in listing.text
    finally:
        await head.aclose()


async def test_lease_panel_after_entry(social_worker, host):
    household_id, _ = await housed(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert "Contrat d'adhésion : signé le 01/03/2024" in page.text


async def test_visits_entered_in_the_timeline_are_counted(social_worker, host):
    from tremplin.reports.engine import build_report
    from tremplin.services.clock import today
    from tremplin.types import Period

    household_id, _ = await started(host)
    on = today().isoformat()
    for kind, programme in [
        ("home_visit", "iml_mandate"),
        ("home_visit", "iml_mandate"),
        ("office_appointment", "iml_mandate"),
        ("home_visit", ""),
        ("phone_call", "iml_mandate"),
    ]:
        added = await social_worker.post(
            f"/households/{household_id}/timeline",
            {
                "kind": kind,
                "occurred_on": on,
                "programme": programme,
                "body": "Point mensuel",
                "visibility": "staff",
            },
        )
        assert added.status_code == 303
    report = await build_report(host, ["iml_mandate"], Period.year(today().year), "ASL")
    section = next(s for s in report["programmes"][0]["sections"] if s["key"] == "mandate")
    contacts = next(t for t in section["tables"] if t["key"] == "mandate_contacts")
    # Two visits and one appointment of this programme; neither the untagged visit nor the call.
    assert {r["key"]: r["count"] for r in contacts["rows"]} == {
        "home_visit": 2,
        "office_appointment": 1,
    }


async def test_dashboard_flags_supports_past_twelve_months(social_worker, host):
    # Started on 15/01/2024: the 12 months ended on 14/01/2025, long before today.
    await housed(host, start="2024-01-15")
    page = await social_worker.get("/")
    assert page.status_code == 200
    block = re.search(r'id="dash-due_dates">(.*?)</section>', page.text, re.S).group(1)
    # The social worker has no programme restriction: the household is named, overdue.
    assert "MANDAT Foyer" in block
    assert "Fin de l&#39;accompagnement global (12 mois)" in block
    assert "14/01/2025 · en retard de" in block


async def test_no_panels_before_the_support_starts(social_worker, host):
    household_id, _ = await referral(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert page.status_code == 200
    assert "Orientation reçue" in page.text
    assert "Axes de stabilisation dans le logement" not in page.text
    assert "Accompagnement global" not in page.text


async def test_report_page_and_download(social_worker, host):
    _, enrolment_id = await referral(host, "housing_support", measure_kind="simple")
    from tests.plugins.iml_mandate.helpers import move

    await move(host, enrolment_id, "start", entry_date="2024-03-15")
    await move(host, enrolment_id, "end", exit_date="2024-06-14", exit_destination="stayed")
    page = await social_worker.get("/reports?programme=housing_support&year=2024")
    assert page.status_code == 200
    assert "Accompagnement social « simple »" in page.text
    assert "Dette locative à l&#39;entrée en accompagnement renforcé" in page.text
    download = await social_worker.get("/reports/housing_support/2024/json")
    assert download.status_code == 200
    data = download.json()
    tables = {t["key"]: t for s in data["programmes"][0]["sections"] for t in s["tables"]}
    assert {r["key"]: r["count"] for r in tables["measures_simple"]["rows"]} == {
        "households": 1,
        "measures": 1,
        "months_measures": 3,
        "average_duration": 3.0,
    }


async def test_follow_up_list(social_worker, host):
    household_id, _ = await housed(host, start="2024-01-15")
    _, measure = await referral(
        host, "housing_support", name="MESURE Foyer", measure_kind="reinforced"
    )
    from tests.plugins.iml_mandate.helpers import move

    await move(
        host,
        measure,
        "start",
        entry_date="2024-02-01",
        contract_date="2024-02-01",
        contract_goals="Plan d'apurement",
    )
    await referral(host, name="ATTENTE Foyer")  # not started: not listed
    page = await social_worker.get("/iml_mandate/follow-up")
    assert page.status_code == 200
    assert "MANDAT Foyer" in page.text and "MESURE Foyer" in page.text
    assert "ATTENTE Foyer" not in page.text
    assert "14/01/2025 <strong>(dépassée)</strong>" in page.text
    assert "31/07/2024 <strong>(dépassée)</strong>" in page.text
    reads = await AuditEntry.select(AuditEntry.object_id).where(
        (AuditEntry.action == "list")
        & (AuditEntry.user_id == social_worker.user.id)
        & (AuditEntry.object_type == "household")
    )
    assert household_id in {r["object_id"] for r in reads}
