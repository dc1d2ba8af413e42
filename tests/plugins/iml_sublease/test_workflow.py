"""IML sub-lease: workflow guards, dates, renewals up to 18 months, exit, dashboard."""

import datetime as dt
import re

import pytest

from tests.due import watched
from tests.plugins.housing.helpers import entry_values, renew
from tremplin.api import add_months
from tremplin.forms import FormErrors
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_housing.api import agreement_end
from tremplin_housing.tables import AgreementRenewal
from tremplin_iml_sublease.checklists import ENTRY, ENTRY_ITEMS, save_checklist
from tremplin_iml_sublease.workflow import AGREEMENT

ACTOR = hh.Actor(user_id=None)


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 5, 15), 18) == dt.date(2025, 11, 15)
    assert agreement_end(dt.date(2024, 1, 15), AGREEMENT, []) == dt.date(2024, 4, 15)
    assert agreement_end(
        dt.date(2024, 1, 15), AGREEMENT, [{"until": dt.date(2025, 7, 15)}]
    ) == dt.date(2025, 7, 15)


async def _enrolled(host, **data) -> tuple[int, int]:
    household_id = await hh.create_household(ACTOR, {"name": "IML Foyer"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao", **data},
    )
    return household_id, enrolment_id


async def _version(enrolment_id: int) -> int:
    return (await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first())[
        "version"
    ]


async def tick_entry(enrolment_id: int) -> None:
    """Tick every entry step through the service the checklist route uses."""
    await save_checklist(enrolment_id, ENTRY, {f.name: "on" for f in ENTRY_ITEMS}, None, "")


async def move(host, enrolment_id, key, **values):
    return await enr.apply_transition(
        host, ACTOR, enrolment_id, key, values, await _version(enrolment_id)
    )


async def test_referral_to_exit_with_guards(database, host):
    household_id, enrolment_id = await _enrolled(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "validée par le SIAO" in caught.value.errors["_transition"]
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values())
    assert caught.value.errors == {"_transition": "cette action n'est pas possible dans cet état"}

    row = await enr.get_enrolment(enrolment_id, ["iml_sublease"])
    await Enrolment.update(
        {Enrolment.data: {**row["data"], "siao_validation_date": "2024-01-15"}}
    ).where(Enrolment.id == enrolment_id)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-05")
    assert caught.value.errors == {
        "decision_date": "la date de la décision précède celle de l'orientation"
    }
    assert await move(host, enrolment_id, "accept", decision_date="2024-01-20") == "admitted"
    await tick_entry(enrolment_id)
    assert (
        await move(host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values())
        == "housed"
    )
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2024-01-31",
            exit_destination="family",
            exit_inventory_date="2024-01-31",
        )
    assert caught.value.errors == {"exit_date": "la date de la sortie précède celle de l'entrée"}
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2025-03-01",
            exit_destination="moon",
            exit_inventory_date="2025-03-01",
        )
    assert caught.value.errors == {"exit_destination": "choix inconnu"}
    # The exit inventory is required, dated from the entry to 30 days after the exit.
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "exit", exit_date="2025-03-01", exit_destination="public_sliding"
        )
    assert caught.value.errors == {"exit_inventory_date": "ce champ est obligatoire"}
    for day, message in (
        ("2024-01-15", "L'état des lieux de sortie ne peut précéder l'entrée dans le logement."),
        ("2025-04-01", "L'état des lieux de sortie se fait au plus tard 30 jours après la sortie."),
    ):
        with pytest.raises(FormErrors) as caught:
            await move(
                host,
                enrolment_id,
                "exit",
                exit_date="2025-03-01",
                exit_destination="public_sliding",
                exit_inventory_date=day,
            )
        assert caught.value.errors == {"_transition": message}
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2025-03-01",
            exit_destination="public_sliding",
            exit_inventory_date=(dt.date.today() + dt.timedelta(days=2)).isoformat(),
        )
    assert "dans le futur" in caught.value.errors["_transition"]
    assert (
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2025-03-01",
            exit_destination="public_sliding",
            exit_inventory_date="2025-03-31",
            exit_inventory_notes="Peinture de la chambre à reprendre",
        )
        == "exited"
    )
    final = await enr.get_enrolment(enrolment_id, ["iml_sublease"])
    assert (final["state"], final["entry_date"], final["exit_date"], final["exit_destination"]) == (
        "exited",
        dt.date(2024, 2, 1),
        dt.date(2025, 3, 1),
        "public_sliding",
    )
    assert final["data"]["exit_inventory_date"] == "2025-03-31"
    assert final["data"]["exit_inventory_notes"] == "Peinture de la chambre à reprendre"
    changes = (
        await TimelineEvent.select(TimelineEvent.title)
        .where((TimelineEvent.household == household_id) & (TimelineEvent.kind == "state_change"))
        .order_by(TimelineEvent.id)
    )
    assert [c["title"] for c in changes] == [
        "Orientation vers IML sous-location",
        "Admettre → Admis, en attente d'entrée",
        "Entrée dans le logement → Dans le logement",
        "Sortie du dispositif → Sorti",
    ]


async def test_refusal_needs_a_reason_and_stale_versions_conflict(database, host):
    _, enrolment_id = await _enrolled(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "refuse", decision_date="2024-01-20")
    assert caught.value.errors == {"_transition": "Indiquez le motif du refus."}
    with pytest.raises(hh.ConflictError):
        await enr.apply_transition(
            host,
            ACTOR,
            enrolment_id,
            "refuse",
            {"decision_date": "2024-01-20", "decision_reason": "x"},
            99,
        )
    assert (
        await move(
            host,
            enrolment_id,
            "refuse",
            decision_date="2024-01-20",
            decision_reason="Ressources insuffisantes",
        )
        == "refused"
    )


async def _housed(host, entry="2024-01-15") -> int:
    _, enrolment_id = await _enrolled(host, siao_validation_date="2024-01-11")
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    await tick_entry(enrolment_id)
    await move(host, enrolment_id, "enter", entry_date=entry, **await entry_values())
    return enrolment_id


async def test_renewals_up_to_18_months_then_only_with_a_derogation(database, host):
    enrolment_id = await _housed(host)
    ends = [await renew(host, enrolment_id, decided_on="2024-04-01") for _ in range(5)]
    assert ends[-1] == dt.date(2025, 7, 15)  # entry + 18 months
    with pytest.raises(FormErrors) as caught:
        await renew(host, enrolment_id, decided_on="2025-07-01")
    assert "motif de dérogation est obligatoire" in caught.value.errors["derogation_reason"]
    end = await renew(
        host,
        enrolment_id,
        decided_on="2025-07-01",
        derogation_reason="Attente d'attribution bailleur",
    )
    assert end == dt.date(2025, 10, 15)
    assert await AgreementRenewal.count().where(AgreementRenewal.enrolment == enrolment_id) == 6
    # Computed state lives in housing's table, not in the declared-fields JSON: not even the
    # renewal form's values.
    data = (await enr.get_enrolment(enrolment_id, ["iml_sublease"]))["data"]
    assert not {"renewals", "decided_on", "derogation_reason"} & set(data)
    reasons = await AgreementRenewal.select(AgreementRenewal.derogation_reason).where(
        AgreementRenewal.enrolment == enrolment_id
    )
    assert reasons[-1]["derogation_reason"] == "Attente d'attribution bailleur"
    # One fact, one line: each renewal is one « Renouvellement de la convention », dated by
    # its decision, and no « Changement d'étape » beside it.
    household_id = (await enr.get_enrolment(enrolment_id, ["iml_sublease"]))["household"]
    lines = await TimelineEvent.select(TimelineEvent.kind).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.programme == "iml_sublease")
    )
    kinds = [line["kind"] for line in lines]
    assert kinds.count("agreement_renewal") == 6
    assert kinds.count("state_change") == 3  # orientation, admission, entry


async def test_renewal_refused_before_entry(database, host):
    _, enrolment_id = await _enrolled(host)
    with pytest.raises(FormErrors):
        await renew(host, enrolment_id, decided_on="2024-04-01")
    assert await AgreementRenewal.count() == 0


async def test_household_page_shows_the_agreement_panel_and_renewal_route(social_worker, host):
    enrolment_id = await _housed(host)
    household_id = (await enr.get_enrolment(enrolment_id, ["iml_sublease"]))["household"]
    page = await social_worker.get(f"/households/{household_id}")
    assert "Convention d&#39;occupation" in page.text or "Convention d'occupation" in page.text
    assert "15/04/2024" in page.text
    # The renewal is the workflow's « Renouveler la convention (3 mois) ».
    assert f"/enrolments/{enrolment_id}/transitions/renew" in page.text
    assert "Renouveler la convention (3 mois)" in page.text
    version = (await enr.get_enrolment(enrolment_id, ["iml_sublease"]))["version"]
    response = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/renew",
        {"version": str(version), "decided_on": "2024-04-01"},
    )
    assert response.status_code == 303
    page = await social_worker.get(f"/households/{household_id}")
    assert "jusqu&#39;au 15/07/2024" in page.text or "jusqu'au 15/07/2024" in page.text


async def test_dashboard_lists_agreements_ending_within_30_days(social_worker, host):
    from tremplin.services.clock import today

    entry = add_months(today(), -3) + dt.timedelta(days=10)
    await _housed(host, entry=entry.isoformat())
    page = await social_worker.get("/")
    block = re.search(r'id="dash-due_dates">(.*?)</section>', page.text, re.S).group(1)
    assert "IML Foyer" in block
    assert "Fin de la convention d&#39;occupation" in block
    assert "IML : conventions à échéance" not in page.text  # the hand-made block is gone


async def test_transition_form_through_the_pages(social_worker, host):
    _, enrolment_id = await _enrolled(host, siao_validation_date="2024-01-11")
    form = await social_worker.get(
        f"/enrolments/{enrolment_id}/transitions/accept", headers={"HX-Request": "true"}
    )
    assert form.status_code == 200 and "<html" not in form.text
    bad = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/accept",
        {"version": "1", "decision_date": ""},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "ce champ est obligatoire" in bad.text
    ok = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/accept",
        {"version": "1", "decision_date": "2024-01-20"},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200 and ok.headers["HX-Redirect"].startswith("/households/")


async def test_exit_form_asks_for_the_exit_inventory_and_keeps_input(social_worker, host):
    household_id, enrolment_id = await _enrolled(host, siao_validation_date="2024-01-15")
    await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    await tick_entry(enrolment_id)
    await move(host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values())
    form = await social_worker.get(f"/enrolments/{enrolment_id}/transitions/exit")
    assert "Date de l&#39;état des lieux de sortie" in form.text
    typed = {
        "version": str(await _version(enrolment_id)),
        "exit_date": "2025-03-01",
        "exit_destination": "family",
        "exit_reason": "Retour chez sa mère",
        "exit_inventory_notes": "Clés rendues, murs propres",
    }
    refused = await social_worker.post(f"/enrolments/{enrolment_id}/transitions/exit", typed)
    assert refused.status_code == 422
    assert "ce champ est obligatoire" in refused.text
    assert "Clés rendues, murs propres" in refused.text and 'value="2025-03-01"' in refused.text
    assert "Retour chez sa mère" in refused.text
    made = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/exit",
        {**typed, "exit_inventory_date": "2025-03-01"},
    )
    assert made.status_code == 303, made.text
    page = (await social_worker.get(f"/households/{household_id}")).text
    assert "État des lieux de sortie</strong> le 01/03/2025" in page
    assert "Clés rendues, murs propres" in page


async def test_agreement_due_dates_are_exact_at_their_boundaries(database, host):
    """The core's due dates: exactly the agreements whose end (entry + 3 months per term)
    falls on or before today + 30 days, late ones included, renewals taken into account."""

    on = dt.date(2025, 1, 15)  # horizon 14/02/2025

    async def housed(entry: str, renewals: int) -> int:
        enrolment_id = await _housed(host, entry=entry)
        for _ in range(renewals):
            await renew(host, enrolment_id, decided_on=entry)
        row = (
            await Enrolment.select(Enrolment.household).where(Enrolment.id == enrolment_id).first()
        )
        return row["household"]

    just_after = await housed("2024-11-16", 0)  # ends 16/02/2025: not yet
    on_horizon = await housed("2024-11-14", 0)  # ends 14/02/2025
    renewed_once = await housed("2024-08-01", 1)  # ends 01/02/2025
    renewed_twice = await housed("2024-08-01", 2)  # ends 01/05/2025: not yet
    late = await housed("2024-02-01", 0)  # ended 01/05/2024
    rows = await watched("iml_sublease", on, "agreement_end")
    assert [r["household"] for r in rows] == [late, renewed_once, on_horizon]
    assert [r["due_on"] for r in rows] == [
        dt.date(2024, 5, 1),
        dt.date(2025, 2, 1),
        dt.date(2025, 2, 14),
    ]
    assert {just_after, renewed_twice}.isdisjoint(r["household"] for r in rows)
