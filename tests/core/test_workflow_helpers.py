"""The workflow builders and route helpers of ``tremplin.api`` that programme plugins share:
the transitions they build (keys, labels, fields, guards, order, danger), the guards' French
messages, and the answer after a write (htmx or a plain browser) through a real plugin route.
"""

from __future__ import annotations

import datetime as dt

from tests.plugins.iml_youth.helpers import ACTOR, housed, young
from tremplin.api import (
    REFUSAL_REASON_MESSAGE,
    Choice,
    EnrolmentView,
    Field,
    FormErrors,
    GuardContext,
    Period,
    add_enrolment_event,
    closed_states,
    decision_date_field,
    enrolment_url,
    exit_with_destination,
    exited_in_period,
    members_on_last_day,
    postponement,
    reference_birth_date,
    refusal,
    require_recorded,
    require_siao_validation,
    require_text,
    transaction,
    withdrawal,
)
from tremplin.models import Membership
from tremplin.services import enrolments as enr
from tremplin_alter_logement.workflow import WORKFLOW as ALTER_WORKFLOW
from tremplin_boarding_house.workflow import WORKFLOW as BOARDING_WORKFLOW
from tremplin_cllaj.workflows import BAIL_WORKFLOW
from tremplin_iml_mandate.workflow import SUPPORT_WORKFLOW

TODAY = dt.date(2024, 6, 1)
DESTINATIONS = (Choice("public_housing", "Logement du parc public"), Choice("other", "Autre"))


def _ctx(values: dict | None = None, data: dict | None = None) -> GuardContext:
    view = EnrolmentView(
        id=1,
        household_id=2,
        programme="x",
        state="referral",
        referral_date=None,
        decision_date=None,
        entry_date=None,
        exit_date=None,
        data=data or {},
    )
    return GuardContext(enrolment=view, values=values or {}, today=TODAY)


def _shape(fields: tuple[Field, ...]) -> list[tuple]:
    return [(f.name, f.label, f.kind, f.required, f.max_length) for f in fields]


# ---------------------------------------------------------------- guards


def test_require_text_refuses_empty_or_blank_values():
    guard = require_text("decision_reason", "Indiquez le motif du refus.")
    assert guard(_ctx({})) == "Indiquez le motif du refus."
    assert guard(_ctx({"decision_reason": None})) == "Indiquez le motif du refus."
    assert guard(_ctx({"decision_reason": "  \n "})) == "Indiquez le motif du refus."
    assert guard(_ctx({"decision_reason": "Ressources insuffisantes"})) is None
    # Another field's value does not satisfy it.
    assert guard(_ctx({"exit_reason": "x"})) == "Indiquez le motif du refus."


def test_require_recorded_reads_the_enrolment_data_not_the_form():
    guard = require_recorded("liaison_form_date", "La fiche de liaison doit être reçue.")
    assert guard(_ctx()) == "La fiche de liaison doit être reçue."
    assert guard(_ctx(values={"liaison_form_date": "2024-01-02"})) == (
        "La fiche de liaison doit être reçue."
    )
    assert guard(_ctx(data={"liaison_form_date": "2024-01-02"})) is None


def test_siao_validation_guard_message():
    assert require_siao_validation(_ctx()) == (
        "L'orientation doit être validée par le SIAO avant la décision d'admission."
    )
    assert require_siao_validation(_ctx(data={"siao_validation_date": "2024-01-11"})) is None


# ---------------------------------------------------------------- transitions


def test_refusal_defaults():
    t = refusal()
    assert (t.key, t.label, t.source, t.target, t.order, t.danger) == (
        "refuse",
        "Refuser",
        ("referral",),
        "refused",
        30,
        True,
    )
    assert _shape(t.fields) == [
        ("decision_date", "Date de la décision", "date", True, 200),
        ("decision_reason", "Motif", "textarea", False, 200),
    ]
    (guard,) = t.guards
    assert guard(_ctx({"decision_date": "2024-05-02"})) == REFUSAL_REASON_MESSAGE
    assert REFUSAL_REASON_MESSAGE == "Indiquez le motif du refus."
    assert guard(_ctx({"decision_reason": "Hors critères"})) is None


def test_refusal_puts_extra_fields_and_guards_first():
    commission = Field("commission_date", "Date de la commission", kind="date", required=True)

    def commission_guard(ctx):
        return None if ctx.values.get("commission_date") else "Indiquez la commission."

    t = refusal(
        label="Refuser (commission)",
        sources=("referral", "diagnosed"),
        fields=(commission,),
        guards=(commission_guard,),
        order=35,
    )
    assert t.label == "Refuser (commission)" and t.source == ("referral", "diagnosed")
    assert t.order == 35
    assert [f.name for f in t.fields] == ["commission_date", "decision_date", "decision_reason"]
    assert t.guards[0] is commission_guard and len(t.guards) == 2
    # Both guards run: the commission's first, then the reason's.
    assert t.guards[0](_ctx({})) == "Indiquez la commission."
    assert t.guards[1](_ctx({"commission_date": "2024-05-01"})) == REFUSAL_REASON_MESSAGE


def test_postponement_stays_in_its_state_without_guard():
    t = postponement()
    assert (t.key, t.label, t.source, t.target, t.order, t.danger, t.guards) == (
        "postpone",
        "Ajourner",
        ("referral",),
        "referral",
        20,
        False,
        (),
    )
    assert [f.name for f in t.fields] == ["decision_date", "decision_reason"]
    assert not t.fields[1].required


def test_withdrawal():
    t = withdrawal(("referral", "admitted"))
    assert (t.key, t.label, t.source, t.target, t.order, t.danger, t.guards) == (
        "withdraw",
        "Abandon de la candidature",
        ("referral", "admitted"),
        "withdrawn",
        90,
        True,
        (),
    )
    assert _shape(t.fields) == [
        ("exit_date", "Date", "date", True, 200),
        ("exit_reason", "Motif", "text", True, 100),
    ]
    assert withdrawal(("requested",), label="Abandon de la demande").label == (
        "Abandon de la demande"
    )


def test_exit_with_destination_defaults():
    t = exit_with_destination(DESTINATIONS)
    assert (t.key, t.label, t.source, t.target, t.order, t.danger, t.guards) == (
        "exit",
        "Sortie du dispositif",
        ("housed",),
        "exited",
        50,
        True,
        (),
    )
    assert _shape(t.fields) == [
        ("exit_date", "Date de sortie", "date", True, 200),
        ("exit_destination", "Destination", "choice", True, 200),
        ("exit_reason", "Motif / commentaire", "text", False, 100),
    ]
    assert t.fields[1].choices == DESTINATIONS


def test_exit_with_destination_variants():
    extra = Field("plan_kept", "Plan d'apurement respecté", kind="bool")
    t = exit_with_destination(
        DESTINATIONS[:1],
        key="slide",
        label="Glissement du bail",
        date_label="Date du bilan",
        destination_label="Parc",
        reason_label=None,
        fields=(extra,),
        order=40,
        danger=False,
    )
    assert (t.key, t.label, t.order, t.danger) == ("slide", "Glissement du bail", 40, False)
    assert [(f.name, f.label) for f in t.fields] == [
        ("exit_date", "Date du bilan"),
        ("exit_destination", "Parc"),
        ("plan_kept", "Plan d'apurement respecté"),
    ]
    assert t.fields[1].choices == DESTINATIONS[:1]


def test_closed_states_and_decision_field():
    states = closed_states(exited="Sortie")
    assert [(s.key, s.label, s.phase) for s in states] == [
        ("exited", "Sortie", "closed"),
        ("refused", "Candidature refusée", "closed"),
        ("withdrawn", "Candidature abandonnée", "closed"),
    ]
    field = decision_date_field("Date du comité")
    assert (field.name, field.label, field.kind, field.required) == (
        "decision_date",
        "Date du comité",
        "date",
        True,
    )


def test_plugins_keep_their_own_wording():
    # What differs between programmes is passed in: the words stay each programme's own.
    alter = {t.key: t for t in ALTER_WORKFLOW.transitions}
    assert ALTER_WORKFLOW.state("exited").label == "Sortie"
    assert alter["exit"].fields[1].choices[0].label == "Glissement de bail"
    boarding = {t.key: t for t in BOARDING_WORKFLOW.transitions}
    assert boarding["refuse"].label == "Refuser (commission)"
    assert [f.name for f in boarding["refuse"].fields] == [
        "commission_date",
        "decision_date",
        "decision_reason",
    ]
    assert boarding["exit"].label == "Sortie de la pension de famille"
    bail = {t.key: t for t in BAIL_WORKFLOW.transitions}
    assert [f.name for f in bail["exit"].fields] == [
        "exit_date",
        "exit_destination",
        "early_end_reason",
        "exit_reason",
    ]
    assert bail["exit"].danger is False and bail["withdraw"].label == "Abandon de la demande"
    assert BAIL_WORKFLOW.state("refused").label == "Demande refusée"
    support = {t.key: t for t in SUPPORT_WORKFLOW.transitions}
    assert [f.name for f in support["end"].fields] == [
        "exit_date",
        "exit_destination",
        "debt_latest",
        "plan_kept",
    ]
    assert support["refuse"].source == ("requested",)


async def test_refusal_guard_blocks_a_real_transition(database, host):
    _, enrolment_id = await young(host, name="REFUS Paul")
    try:
        await _move(host, enrolment_id, "refuse", decision_date="2024-01-12", decision_reason=" ")
    except FormErrors as exc:
        assert exc.errors == {"_transition": REFUSAL_REASON_MESSAGE}
    else:
        raise AssertionError("a refusal without reason went through")
    assert (
        await _move(
            host,
            enrolment_id,
            "refuse",
            decision_date="2024-01-12",
            decision_reason="Hors critères",
        )
        == "refused"
    )


async def _move(host, enrolment_id: int, key: str, **values) -> str:
    from tremplin.models import Enrolment

    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


# ---------------------------------------------------------------- shared queries


async def test_reference_birth_date(database, host):
    household_id, _ = await young(host, birth="2003-05-01", name="NAISSANCE Inès")
    assert await reference_birth_date(household_id) == dt.date(2003, 5, 1)
    unknown, _ = await young(host, birth=None, name="INCONNUE Eva")
    assert await reference_birth_date(unknown) is None


async def test_add_enrolment_event(database, host):
    from tremplin.models import TimelineEvent

    household_id, enrolment_id = await young(host, name="ÉVÉNEMENT Zoé")
    async with transaction():
        await add_enrolment_event(
            enrolment_id,
            household_id,
            programme="iml_youth",
            kind="iml_youth_renewal",
            title="Renouvellement de la convention",
            body="Convention prolongée jusqu'au 01/08/2024",
            author=None,
        )
    event = (
        await TimelineEvent.select()
        .where(TimelineEvent.kind == "iml_youth_renewal")
        .output(load_json=True)
        .first()
    )
    assert event["household"] == household_id and event["programme"] == "iml_youth"
    assert event["data"] == {"enrolment": enrolment_id}
    assert event["title"] == "Renouvellement de la convention"
    assert event["body"] == "Convention prolongée jusqu'au 01/08/2024"
    assert event["author"] is None and event["occurred_at"] is not None


async def test_exited_in_period_and_members_on_last_day(database, host):
    out_id, out_enrolment = await housed(
        host, entry="2024-02-01", name="SORTIE Noé", birth="2004-09-30"
    )
    await _move(
        host, out_enrolment, "exit", exit_date="2024-06-30", exit_destination="public_housing"
    )
    stay_id, _ = await housed(host, entry="2024-03-01", name="RESTE Lou", birth="2005-01-15")
    _, gone = await young(host, name="ABANDON Tom")
    await _move(host, gone, "withdraw", exit_date="2024-04-02", exit_reason="Parti")

    exits = await exited_in_period("iml_youth", Period.year(2024))
    assert [(e["entry_date"], e["exit_date"], e["exit_destination"]) for e in exits] == [
        (dt.date(2024, 2, 1), dt.date(2024, 6, 30), "public_housing")
    ]  # the withdrawn candidacy is no exit
    assert len(await exited_in_period("iml_youth", Period.year(2024), entered_only=True)) == 1
    assert await exited_in_period("iml_youth", Period.year(2023)) == []
    assert await exited_in_period("social_residence", Period.year(2024)) == []

    # The households are created today: date their members back to the start of 2024.
    await Membership.update({Membership.start_date: dt.date(2024, 1, 1)}).where(
        Membership.household.is_in([out_id, stay_id])
    )
    enrolments = [
        {"household": out_id, "exit_date": dt.date(2024, 6, 30)},
        {"household": stay_id, "exit_date": None},
    ]
    people = await members_on_last_day(Period.year(2024), enrolments)
    by_household = {m["household"]: m for m in people.values()}
    assert set(by_household) == {out_id, stay_id} and len(people) == 2
    assert by_household[out_id]["day"] == dt.date(2024, 6, 30)  # its exit date
    assert by_household[stay_id]["day"] == dt.date(2024, 12, 31)  # still there: period's end
    assert by_household[out_id]["relation"] == "reference"
    assert by_household[stay_id]["birth_date"] == dt.date(2005, 1, 15)
    assert await members_on_last_day(Period.year(2024), []) == {}


# ---------------------------------------------------------------- after a write


def _meeting(enrolment_id: int) -> str:
    return f"/iml_youth/enrolments/{enrolment_id}/meetings"


async def test_redirect_after_write_through_a_plugin_route(app, social_worker, users, host):
    household_id, enrolment_id = await housed(host, name="REDIRECTION Léa")
    target = enrolment_url(household_id, enrolment_id)
    assert target == f"/households/{household_id}#enrolment-{enrolment_id}"
    form = {"meeting_date": "2024-03-12", "attendees": ["young"]}

    # A plain browser: a 303 to the household page, no htmx header.
    plain = await social_worker.post(_meeting(enrolment_id), form)
    assert plain.status_code == 303
    assert plain.headers["location"] == target
    assert "HX-Redirect" not in plain.headers

    # htmx from the household page: the target differs only by its #fragment, so the page
    # must also be refreshed (a fragment change alone would just scroll).
    here = f"http://testserver.local/households/{household_id}"
    same_page = await social_worker.post(
        _meeting(enrolment_id), form, headers={"HX-Request": "true", "HX-Current-URL": here}
    )
    assert same_page.status_code == 200 and same_page.text == ""
    assert same_page.headers["HX-Redirect"] == target
    assert same_page.headers["HX-Refresh"] == "true"

    # htmx without the current URL: refreshed too, to be safe.
    unknown = await social_worker.post(_meeting(enrolment_id), form, headers={"HX-Request": "true"})
    assert unknown.headers["HX-Redirect"] == target and unknown.headers["HX-Refresh"] == "true"

    # htmx from another page: navigating there reloads anyway, no refresh of the old page.
    elsewhere = await social_worker.post(
        _meeting(enrolment_id),
        form,
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver.local/dashboard"},
    )
    assert elsewhere.status_code == 200 and elsewhere.headers["HX-Redirect"] == target
    assert "HX-Refresh" not in elsewhere.headers


async def test_redirect_without_fragment_is_never_refreshed(app, client, users, host):
    from tests.conftest import Session, login

    csrf = await login(client, "head_of_service@test.fr")
    manager = Session(client, csrf, users["head_of_service"])
    page = "http://testserver.local/boarding_house/houses/new"
    made = await manager.post(
        "/boarding_house/houses/new",
        {"name": "Maison des Tilleuls"},
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    assert made.status_code == 200, made.text
    assert made.headers["HX-Redirect"].startswith("/boarding_house/houses/")
    assert "HX-Refresh" not in made.headers


async def test_enrolment_for_route_answers_404_for_another_programme(
    app, social_worker, users, host
):
    _, enrolment_id = await housed(host, name="AUTRE Marc")
    # An iml_youth enrolment posted to the social residence's derogation route: 404.
    response = await social_worker.post(
        f"/social_residence/enrolments/{enrolment_id}/derogations",
        {"derogation_until": "2026-01-01", "derogation_reason": "x"},
    )
    assert response.status_code == 404
    response = await social_worker.post(_meeting(999_999), {"meeting_date": "2024-03-12"})
    assert response.status_code == 404
