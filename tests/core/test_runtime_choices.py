"""Fields whose choices are known only at run time (``Field.choices_from``): awaited each time
the form is shown or posted, shown as a list, and a value not offered is refused."""

import re
import types

import httpx
import pytest

from tests.conftest import login
from tremplin.api import (
    Choice,
    ChoiceContext,
    Field,
    FieldError,
    PluginManifest,
    Programme,
    State,
    Transition,
    Workflow,
    hookimpl,
    resolve_choices,
)
from tremplin.models import Enrolment, PartnerOrganisation
from tremplin.plugins import load_plugins
from tremplin.services import households as hh
from tremplin.services.clock import now
from tremplin.types import UNKNOWN_CHOICE
from tremplin.web.app import create_app

#: Every context ``choices_from`` was awaited with, to check what the core hands it.
SEEN: list[ChoiceContext] = []


async def partner_choices(ctx: ChoiceContext) -> list[Choice]:
    """The partner organisations as they are in the database when the form is used."""
    SEEN.append(ctx)
    rows = await PartnerOrganisation.select(
        PartnerOrganisation.id, PartnerOrganisation.name
    ).order_by(PartnerOrganisation.name)
    return [Choice(str(r["id"]), r["name"]) for r in rows]


PARTNER = Field(
    "partner", "Organisme d'accueil", kind="int", required=True, choices_from=partner_choices
)
ORIENTER = Field(
    "orienter", "Organisme qui oriente", kind="choice", choices_from=partner_choices, order=10
)


def relay_plugin():
    module = types.ModuleType("fake_relay")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug="relay", name="Relais"))
    module.tremplin_programmes = hookimpl(
        lambda: [
            Programme(
                key="relay",
                name_fr="Relais",
                name_en="Relay",
                prescribers=(Choice("siao", "SIAO"),),
            )
        ]
    )
    module.tremplin_enrolment_fields = hookimpl(
        lambda programme: [ORIENTER] if programme == "relay" else []
    )
    module.tremplin_workflows = hookimpl(
        lambda: [
            Workflow(
                "relay",
                (State("waiting", "En attente", phase="waiting"), State("housed", "Accueilli")),
                "waiting",
                (
                    Transition(
                        "place",
                        "Placer",
                        ("waiting",),
                        "housed",
                        fields=(
                            Field("entry_date", "Date d'entrée", kind="date", required=True),
                            PARTNER,
                        ),
                    ),
                ),
            )
        ]
    )
    return ("relay", module)


def test_a_field_checks_its_current_choices_only_once_resolved():
    unresolved = Field("room", "Chambre", kind="int", choices_from=partner_choices)
    # Not resolved (a page that forgot to await the choices): nothing is accepted.
    with pytest.raises(FieldError, match="choix inconnu"):
        unresolved.parse("3")
    resolved = Field(
        "room",
        "Chambre",
        kind="int",
        choices_from=partner_choices,
        choices=(Choice("3", "Chambre bleue"),),
    )
    assert resolved.parse("3") == 3 and resolved.parse("") is None
    assert resolved.label_of(3) == "Chambre bleue"
    with pytest.raises(FieldError) as caught:
        resolved.parse("4")
    assert str(caught.value) == UNKNOWN_CHOICE


async def test_resolve_keeps_a_stored_value(database, users):
    (field,) = await resolve_choices(
        [PARTNER], ChoiceContext(programme="relay"), keep={"partner": 424242}
    )
    assert field.parse("424242") == 424242
    assert [c.label for c in field.choices] == [
        "Mission Locale test",
        "424242 (valeur enregistrée)",
    ]
    (fresh,) = await resolve_choices([PARTNER])
    with pytest.raises(FieldError):
        fresh.parse("424242")


_OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def _options(html: str, name: str) -> list[tuple[str, bool, str]]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select for {name}"
    return [(v, bool(s), label) for v, s, label in _OPTION.findall(select.group(1))]


async def test_transition_and_enrolment_forms_offer_the_current_choices(database, users):
    host = load_plugins(None, extra=[relay_plugin()])
    app = create_app(database, host)
    household_id = await hh.create_household(hh.Actor(None), {"name": "RELAIS Anne"})
    enrolment_id = (
        await Enrolment.insert(
            Enrolment(
                household=household_id,
                programme="relay",
                state="waiting",
                created_at=now(),
                updated_at=now(),
            )
        ).returning(Enrolment.id)
    )[0]["id"]
    # Created after the application: only a run-time lookup can offer it.
    other = (
        await PartnerOrganisation.insert(
            PartnerOrganisation(name="Foyer Soleil", kind="other", created_at=now())
        ).returning(PartnerOrganisation.id)
    )[0]["id"]
    first = (
        await PartnerOrganisation.select(PartnerOrganisation.id)
        .where(PartnerOrganisation.name == "Mission Locale test")
        .first()
    )["id"]
    SEEN.clear()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        csrf = await login(client, "head_of_service@test.fr")
        url = f"/enrolments/{enrolment_id}/transitions/place"

        page = await client.get(url)
        assert page.status_code == 200
        assert _options(page.text, "partner") == [
            ("", False, "—"),
            (str(other), False, "Foyer Soleil"),
            (str(first), False, "Mission Locale test"),
        ]
        assert 'name="partner" type="number"' not in page.text
        ctx = SEEN[-1]
        assert (ctx.programme, ctx.household_id, ctx.enrolment.id) == (
            "relay",
            household_id,
            enrolment_id,
        )
        partial = await client.get(url, headers={"HX-Request": "true"})
        assert "<html" not in partial.text
        assert (str(other), False, "Foyer Soleil") in _options(partial.text, "partner")

        # A value that is not offered is refused with a French message; the input is kept.
        refused = await client.post(
            url,
            data={"_csrf": csrf, "version": "1", "entry_date": "2024-05-02", "partner": "999999"},
        )
        assert refused.status_code == 422
        assert "choix inconnu ou qui n&#39;est plus proposé" in refused.text
        assert ("999999", True, "999999 (choix non proposé)") in _options(refused.text, "partner")
        assert 'value="2024-05-02"' in refused.text
        row = await Enrolment.select(Enrolment.state).where(Enrolment.id == enrolment_id).first()
        assert row["state"] == "waiting"

        accepted = await client.post(
            url,
            data={"_csrf": csrf, "version": "1", "entry_date": "2024-05-02", "partner": str(other)},
        )
        assert accepted.status_code == 303, accepted.text
        row = (
            await Enrolment.select(Enrolment.state, Enrolment.data)
            .where(Enrolment.id == enrolment_id)
            .output(load_json=True)
            .first()
        )
        assert row["state"] == "housed" and row["data"]["partner"] == other  # an int, as typed

        # The orientation form of the programme: a "choice" field from the same lookup.
        new = await client.get(f"/households/{household_id}/enrolments/new?programme=relay")
        assert new.status_code == 200
        assert (str(other), False, "Foyer Soleil") in _options(new.text, "orienter")
        assert SEEN[-1].household_id == household_id and SEEN[-1].enrolment is None
        bad = await client.post(
            f"/households/{household_id}/enrolments",
            data={
                "_csrf": csrf,
                "programme": "relay",
                "referral_date": "2024-05-01",
                "prescriber": "siao",
                "orienter": "123456",
            },
        )
        assert bad.status_code == 422
        assert "choix inconnu ou qui n&#39;est plus proposé" in bad.text
        assert ("123456", True, "123456 (choix non proposé)") in _options(bad.text, "orienter")
        good = await client.post(
            f"/households/{household_id}/enrolments",
            data={
                "_csrf": csrf,
                "programme": "relay",
                "referral_date": "2024-05-01",
                "prescriber": "siao",
                "orienter": str(other),
            },
        )
        assert good.status_code == 303, good.text
        created = (
            await Enrolment.select(Enrolment.id, Enrolment.data)
            .where((Enrolment.programme == "relay") & (Enrolment.id != enrolment_id))
            .output(load_json=True)
            .first()
        )
        assert created["data"]["orienter"] == str(other)

        # Correcting the orientation after that organisation left the list: its stored value
        # stays a valid choice, so the correction of another field goes through.
        await PartnerOrganisation.delete().where(PartnerOrganisation.id == other)
        edit_url = f"/enrolments/{created['id']}/edit"
        edit = await client.get(edit_url)
        assert _options(edit.text, "orienter") == [
            ("", False, "—"),
            (str(first), False, "Mission Locale test"),
            (str(other), True, f"{other} (valeur enregistrée)"),
        ]
        fixed = await client.post(
            edit_url,
            data={
                "_csrf": csrf,
                "version": "1",
                "referral_date": "2024-04-30",
                "prescriber": "siao",
                "orienter": str(other),
            },
        )
        assert fixed.status_code == 303, fixed.text
        # A new organisation still has to be one of the list.
        wrong = await client.post(
            edit_url,
            data={
                "_csrf": csrf,
                "version": "2",
                "referral_date": "2024-04-30",
                "prescriber": "siao",
                "orienter": "777777",
            },
        )
        assert wrong.status_code == 422 and "choix inconnu" in wrong.text
