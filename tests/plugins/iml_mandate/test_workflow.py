"""IML under mandate and support measures: every workflow guard, the 12-month limit with its
derogation, the reinforced contract (6 months, extensions), deadlines and dashboard blocks."""

import datetime as dt

import pytest

from tests.due import watched
from tests.plugins.iml_mandate.helpers import data_of, housed, move, referral, started
from tremplin.forms import FormErrors
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin_iml_mandate.workflow import contract_end, max_end, support_end


def test_twelve_months_end_the_day_before_the_anniversary():
    assert max_end(dt.date(2024, 1, 15)) == dt.date(2025, 1, 14)
    assert max_end(dt.date(2024, 3, 1)) == dt.date(2025, 2, 28)
    assert max_end(dt.date(2023, 2, 28)) == dt.date(2024, 2, 27)


async def _row(enrolment_id):
    return await enr.get_enrolment(enrolment_id, ["iml_mandate", "housing_support"])


async def test_support_starts_before_entry_then_lease_guards(database, host):
    household_id, enrolment_id = await referral(host)
    # The lease cannot be signed before the support has started.
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-01",
        )
    assert caught.value.errors == {"_transition": "cette action n'est pas possible dans cet état"}
    assert await move(host, enrolment_id, "start", decision_date="2024-01-15") == "pre_entry"
    assert (await _row(enrolment_id))["entry_date"] is None  # support before entry

    # No DDETS agreement yet.
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-01",
        )
    assert caught.value.errors["_transition"].startswith("L'accord préalable de la DDETS")

    # An agreement dated after the lease is not prior.
    row = await _row(enrolment_id)
    await Enrolment.update(
        {Enrolment.data: {**row["data"], "ddets_agreement_date": "2024-03-05"}}
    ).where(Enrolment.id == enrolment_id)
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-01",
        )
    assert "postérieur à la signature du bail" in caught.value.errors["_transition"]

    await Enrolment.update(
        {Enrolment.data: {**row["data"], "ddets_agreement_date": "2024-02-10"}}
    ).where(Enrolment.id == enrolment_id)
    # The adherence contract is required, and signed at the latest with the lease.
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "enter", entry_date="2024-03-01")
    assert caught.value.errors == {"adherence_contract_date": "ce champ est obligatoire"}
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-04",
        )
    assert caught.value.errors["_transition"] == (
        "Le contrat d'adhésion doit être signé au plus tard à la signature du bail."
    )
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-01-10",
        )
    assert "ne peut précéder le début" in caught.value.errors["_transition"]
    # The lease cannot come before the start of the support (core date order).
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-01-10",
            adherence_contract_date="2024-01-10",
        )
    assert caught.value.errors == {"entry_date": "la date de l'entrée précède celle de la décision"}

    assert (
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-01",
        )
        == "housed"
    )
    final = await _row(enrolment_id)
    assert (final["decision_date"], final["entry_date"]) == (
        dt.date(2024, 1, 15),
        dt.date(2024, 3, 1),
    )
    assert final["data"]["adherence_contract_date"] == "2024-03-01"
    titles = [
        r["title"]
        for r in await TimelineEvent.select(TimelineEvent.title)
        .where((TimelineEvent.household == household_id) & (TimelineEvent.kind == "state_change"))
        .order_by(TimelineEvent.id)
    ]
    assert titles == [
        "Orientation vers IML en mandat de gestion",
        "Démarrer l'accompagnement → Accompagnement avant l'entrée (choix du logement)",
        "Signature du bail et entrée → Dans le logement (stabilisation)",
    ]


async def test_refusal_needs_a_reason(database, host):
    _, enrolment_id = await referral(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "refuse", decision_date="2024-01-20")
    assert caught.value.errors == {"_transition": "Indiquez le motif du refus."}
    assert (
        await move(
            host,
            enrolment_id,
            "refuse",
            decision_date="2024-01-20",
            decision_reason="Ressources insuffisantes pour un bail direct",
        )
        == "refused"
    )


async def test_end_within_twelve_months_with_outcome(database, host):
    _, enrolment_id = await housed(host, start="2024-01-15")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "end", exit_date="2025-01-14", exit_destination="moon")
    assert caught.value.errors == {"exit_destination": "choix inconnu"}
    # 14/01/2025 is the last day of the 12 months: allowed without derogation.
    assert (
        await move(
            host, enrolment_id, "end", exit_date="2025-01-14", exit_destination="agency_stock"
        )
        == "exited"
    )
    row = await _row(enrolment_id)
    assert (row["exit_date"], row["exit_destination"]) == (dt.date(2025, 1, 14), "agency_stock")


async def test_twelve_month_limit_needs_a_recorded_derogation(database, host):
    _, enrolment_id = await housed(host, start="2024-01-15")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "end", exit_date="2025-01-15", exit_destination="stayed")
    assert caught.value.errors["_transition"] == (
        "La fin de l'accompagnement dépasse la durée maximale de 12 mois d'accompagnement "
        "(jusqu'au 14/01/2025) : enregistrez d'abord une dérogation motivée."
    )
    # A derogation needs its reason and must go past the 12 months.
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "derogate", derogation_until="2025-04-30")
    assert caught.value.errors == {"derogation_reason": "ce champ est obligatoire"}
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "derogate",
            derogation_until="2025-01-10",
            derogation_reason="Dossier de surendettement en cours",
        )
    assert caught.value.errors["_transition"] == (
        "Une dérogation ne sert qu'au-delà des 12 mois (après le 14/01/2025)."
    )
    assert (
        await move(
            host,
            enrolment_id,
            "derogate",
            derogation_until="2025-04-30",
            derogation_reason="Dossier de surendettement en cours",
        )
        == "housed"
    )
    data = await data_of(enrolment_id)
    assert data["derogation_until"] == "2025-04-30"
    # Beyond the derogation: refused again.
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "end", exit_date="2025-05-01", exit_destination="stayed")
    assert caught.value.errors["_transition"] == (
        "La fin de l'accompagnement dépasse la dérogation accordée jusqu'au 30/04/2025."
    )
    assert (
        await move(host, enrolment_id, "end", exit_date="2025-04-30", exit_destination="stayed")
        == "exited"
    )


async def test_lease_after_twelve_months_of_pre_entry_is_refused(database, host):
    _, enrolment_id = await started(host, start="2024-01-15", ddets_agreement_date="2024-02-01")
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2025-01-20",
            adherence_contract_date="2025-01-20",
        )
    assert caught.value.errors["_transition"].startswith(
        "La signature du bail dépasse la durée maximale de 12 mois"
    )
    await move(
        host,
        enrolment_id,
        "derogate",
        derogation_until="2025-03-31",
        derogation_reason="Aucun logement adapté au handicap disponible",
    )
    assert (
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2025-01-20",
            adherence_contract_date="2025-01-20",
        )
        == "housed"
    )


async def test_withdrawal_during_pre_entry(database, host):
    _, enrolment_id = await started(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "withdraw", exit_date="2024-02-01")
    assert caught.value.errors == {"exit_reason": "ce champ est obligatoire"}
    assert (
        await move(
            host,
            enrolment_id,
            "withdraw",
            exit_date="2024-02-01",
            exit_reason="Départ du département",
        )
        == "withdrawn"
    )


async def test_deadline_and_dashboard_alert(database, host):
    household_id, enrolment_id = await housed(host, start="2024-01-15")
    view = enr.to_view(await _row(enrolment_id))
    assert support_end(view) == dt.date(2025, 1, 14)
    assert await watched("iml_mandate", dt.date(2024, 12, 1)) == []  # 44 days before
    rows = await watched("iml_mandate", dt.date(2024, 12, 20))  # 25 days before
    assert [(r["name"], r["household"], r["key"], r["due_on"]) for r in rows] == [
        ("MANDAT Foyer", household_id, "support_end", dt.date(2025, 1, 14))
    ]
    late = await watched("iml_mandate", dt.date(2025, 1, 20))
    assert [r["due_on"] for r in late] == [dt.date(2025, 1, 14)]
    assert await watched("iml_sublease", dt.date(2025, 1, 20)) == []
    await move(
        host,
        enrolment_id,
        "derogate",
        derogation_until="2025-06-30",
        derogation_reason="Procédure de surendettement",
    )
    # The derogation moved it.
    assert await watched("iml_mandate", dt.date(2025, 1, 20)) == []
    assert [r["due_on"] for r in await watched("iml_mandate", dt.date(2025, 6, 1))] == [
        dt.date(2025, 6, 30)
    ]


# ------------------------------------------------------------------ support measures


async def test_simple_measure_starts_without_contract(database, host):
    _, enrolment_id = await referral(
        host, "housing_support", measure_kind="simple", trigger="arrears"
    )
    assert await move(host, enrolment_id, "start", entry_date="2024-03-15") == "active"
    assert contract_end(enr.to_view(await _row(enrolment_id))) is None
    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "extend",
            extension_decided_on="2024-08-01",
            contract_until="2024-12-31",
        )
    assert caught.value.errors == {
        "_transition": "Seul un accompagnement renforcé se prolonge (contrat de 6 mois)."
    }
    assert (
        await move(host, enrolment_id, "end", exit_date="2024-06-14", exit_destination="stayed")
        == "exited"
    )


async def test_measure_kind_is_required(database, host):
    with pytest.raises(FormErrors) as caught:
        await referral(host, "housing_support", measure_kind="")
    assert caught.value.errors == {"measure_kind": "ce champ est obligatoire"}


async def test_reinforced_contract_six_months_extendable(database, host):
    _, enrolment_id = await referral(
        host, "housing_support", measure_kind="reinforced", debt_at_entry="1 500,00"
    )
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "start", entry_date="2024-02-01")
    assert caught.value.errors["_transition"] == (
        "Un accompagnement renforcé démarre par un contrat : indiquez sa date de signature."
    )
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "start", entry_date="2024-02-01", contract_date="2024-02-01")
    assert caught.value.errors["_transition"] == (
        "Indiquez les objectifs fixés dans le contrat d'accompagnement renforcé."
    )
    assert (
        await move(
            host,
            enrolment_id,
            "start",
            entry_date="2024-02-01",
            contract_date="2024-02-01",
            contract_goals="Reprise du paiement du loyer ; dossier FSL",
        )
        == "active"
    )
    view = enr.to_view(await _row(enrolment_id))
    assert contract_end(view) == dt.date(2024, 7, 31)  # 6 months
    rows = await watched("housing_support", dt.date(2024, 7, 10))
    assert [(r["key"], r["due_on"]) for r in rows] == [("contract_end", dt.date(2024, 7, 31))]

    with pytest.raises(FormErrors) as caught:
        await move(
            host,
            enrolment_id,
            "extend",
            extension_decided_on="2024-07-15",
            contract_until="2024-07-20",
        )
    assert caught.value.errors["_transition"] == (
        "La prolongation doit aller au-delà de la fin actuelle du contrat (31/07/2024)."
    )
    assert (
        await move(
            host,
            enrolment_id,
            "extend",
            extension_decided_on="2024-07-15",
            contract_until="2025-01-31",
        )
        == "active"
    )
    assert contract_end(enr.to_view(await _row(enrolment_id))) == dt.date(2025, 1, 31)
    assert await watched("housing_support", dt.date(2024, 7, 10)) == []

    # Debt at entry: the end of the measure records the debt left.
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "end", exit_date="2024-12-20", exit_destination="stayed")
    assert caught.value.errors["_transition"] == (
        "Indiquez le montant de la dette en fin de mesure (0 si soldée)."
    )
    assert (
        await move(
            host,
            enrolment_id,
            "end",
            exit_date="2024-12-20",
            exit_destination="stayed",
            debt_latest="120,00",
            plan_kept="on",
        )
        == "exited"
    )
    data = await data_of(enrolment_id)
    assert (data["debt_at_entry"], data["debt_latest"], data["plan_kept"]) == (150000, 12000, True)


async def test_the_twelve_month_refusal_is_told_in_the_request_language(database, host):
    """The guard's refusal through the plugin's catalogue: its subject and its date in English."""
    from tremplin.i18n import use_language

    _, enrolment_id = await housed(host, start="2024-01-15")
    with use_language("en"), pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "end", exit_date="2025-01-15", exit_destination="stayed")
    assert caught.value.errors["_transition"] == (
        "The end of the support goes beyond the maximum support length of 12 months "
        "(until 14/01/2025): record a justified derogation first."
    )
    assert (await _row(enrolment_id))["exit_date"] is None
