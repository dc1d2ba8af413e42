"""Two people saving the same record at once: exactly one wins, the other gets a conflict.

Each test runs on SQLite and on PostgreSQL. On PostgreSQL the two saves run in two pool
connections: both read the row at the same version before either writes (a barrier holds the
first one until the second has read), so only the affected-row count of the versioned
``UPDATE`` can tell the loser. On SQLite the second writer waits for the first's
``IMMEDIATE`` transaction and then sees the new version.
"""

from __future__ import annotations

import asyncio

import pytest

from tremplin.models import AuditEntry, Enrolment, Household, TimelineEvent
from tremplin.services import commands
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(None)


@pytest.fixture
def barrier(monkeypatch):
    """Hold each writer (inside its transaction, after its read) until the other has read
    too, or 1 s at most (SQLite lets only one writer in at a time)."""

    def install(module, name):
        real = getattr(module, name)
        arrived = {"n": 0}
        both = asyncio.Event()

        async def held(*args, **kwargs):
            arrived["n"] += 1
            if arrived["n"] >= 2:
                both.set()
            try:
                await asyncio.wait_for(both.wait(), 1.0)
            except TimeoutError:
                pass
            return await real(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    return install


async def _enrolment(host) -> tuple[int, int]:
    household_id = await hh.create_household(ACTOR, {"name": "CONCURRENT Léa"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao"},
    )
    return household_id, enrolment_id


async def _audits(action: str, object_type: str, object_id: int) -> int:
    return await AuditEntry.count().where(
        (AuditEntry.action == action)
        & (AuditEntry.object_type == object_type)
        & (AuditEntry.object_id == object_id)
    )


async def test_two_simultaneous_enrolment_edits(social_worker, host, barrier):
    _, enrolment_id = await _enrolment(host)
    barrier(enr, "versioned_update")
    base = {"version": "1", "referral_date": "2024-01-10"}
    first, second = await asyncio.gather(
        social_worker.post(f"/enrolments/{enrolment_id}/edit", {**base, "prescriber": "ccas"}),
        social_worker.post(f"/enrolments/{enrolment_id}/edit", {**base, "prescriber": "chrs"}),
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes == [303, 409], codes
    loser = first if first.status_code == 409 else second
    winner_value = "ccas" if first.status_code == 303 else "chrs"
    typed = "chrs" if winner_value == "ccas" else "ccas"
    # Both versions are shown: the saved one and the loser's typed input, kept in the form.
    assert "Version enregistrée" in loser.text and "Votre saisie" in loser.text
    assert f'<option value="{typed}" selected' in loser.text
    row = await Enrolment.select(Enrolment.prescriber, Enrolment.version).first()
    assert row == {"prescriber": winner_value, "version": 2}
    assert await _audits("update", "enrolment", enrolment_id) == 1


async def test_two_simultaneous_transitions(social_worker, host, barrier):
    household_id, enrolment_id = await _enrolment(host)
    await commands.update_enrolment_data(
        ACTOR, enrolment_id, 1, {"siao_validation_date": "2024-01-12"}
    )
    barrier(enr, "resolve_choices")
    url = f"/enrolments/{enrolment_id}/transitions/accept"
    first, second = await asyncio.gather(
        social_worker.post(url, {"version": "2", "decision_date": "2024-01-20"}),
        social_worker.post(url, {"version": "2", "decision_date": "2024-01-21"}),
    )
    assert sorted([first.status_code, second.status_code]) == [303, 409]
    row = await Enrolment.select(Enrolment.state, Enrolment.version).first()
    assert row == {"state": "admitted", "version": 3}
    changes = await TimelineEvent.count().where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "state_change")
    )
    assert changes == 2  # the orientation and one admission, not two
    assert await _audits("transition", "enrolment", enrolment_id) == 1


async def test_two_simultaneous_household_edits(social_worker, barrier):
    household_id = await hh.create_household(ACTOR, {"name": "MÉNAGE Partagé"})
    barrier(commands, "versioned_update")
    url = f"/households/{household_id}/edit"
    first, second = await asyncio.gather(
        social_worker.post(url, {"version": "1", "name": "MÉNAGE Un"}),
        social_worker.post(url, {"version": "1", "name": "MÉNAGE Deux"}),
    )
    assert sorted([first.status_code, second.status_code]) == [303, 409]
    loser = first if first.status_code == 409 else second
    assert "Version enregistrée" in loser.text
    row = await Household.select(Household.name, Household.version).first()
    assert row["version"] == 2 and row["name"] in ("MÉNAGE Un", "MÉNAGE Deux")
    assert await _audits("update", "household", household_id) == 1


async def test_plugin_command_with_a_stale_version_writes_nothing(database, host):
    household_id, enrolment_id = await _enrolment(host)
    version = await commands.update_enrolment_data(
        ACTOR,
        enrolment_id,
        1,
        {"entry": {"lease": True}},
        action="checklist",
        event=commands.NewEvent(kind="note", title="Étape cochée"),
    )
    assert version == 2
    events_before = await TimelineEvent.count().where(TimelineEvent.household == household_id)
    with pytest.raises(hh.ConflictError) as caught:
        await commands.update_enrolment_data(
            ACTOR,
            enrolment_id,
            1,
            {"entry": {"lease": False}},
            action="checklist",
            event=commands.NewEvent(kind="note", title="Étape décochée"),
        )
    assert caught.value.current["version"] == 2
    row = await Enrolment.select(Enrolment.data).output(load_json=True).first()
    assert row["data"]["entry"] == {"lease": True}
    assert await TimelineEvent.count().where(TimelineEvent.household == household_id) == (
        events_before
    )
    assert await _audits("checklist", "enrolment", enrolment_id) == 1


async def test_two_simultaneous_plugin_commands(database, host, barrier):
    """Two plugin saves through ``update_enrolment_data`` at the same expected version."""
    _, enrolment_id = await _enrolment(host)
    barrier(commands, "versioned_update")

    async def save(value: str):
        try:
            return await commands.update_enrolment_data(
                ACTOR, enrolment_id, 1, {"note": value}, action="plugin_save"
            )
        except hh.ConflictError as exc:
            return exc

    results = await asyncio.gather(save("un"), save("deux"))
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "int"]
    assert await _audits("plugin_save", "enrolment", enrolment_id) == 1


async def test_two_simultaneous_api_transitions_one_409(client, users, host, barrier):
    from tremplin.services.accounts import create_api_token

    headers = {
        "Authorization": f"Bearer {await create_api_token(users['social_worker'].id, 'test')}"
    }
    _, enrolment_id = await _enrolment(host)
    await commands.update_enrolment_data(
        ACTOR, enrolment_id, 1, {"siao_validation_date": "2024-01-12"}
    )
    barrier(enr, "resolve_choices")
    url = f"/api/enrolments/{enrolment_id}/transitions/accept"
    first, second = await asyncio.gather(
        client.post(url, headers=headers, json={"version": 2, "decision_date": "2024-01-20"}),
        client.post(url, headers=headers, json={"version": 2, "decision_date": "2024-01-21"}),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["current"] == {"id": enrolment_id, "version": 3}
    assert await _audits("transition", "enrolment", enrolment_id) == 1
