"""The head of service corrects a recorded admission, entry or exit, with a mandatory reason."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

from tests.conftest import Session, login
from tests.plugins.iml_mandate.helpers import ACTOR, housed, move
from tremplin.api import FormErrors, hookimpl
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin.reports.plugin_queries import exited_in_period
from tremplin.services import clock
from tremplin.services.corrections import correct_step
from tremplin.types import Period


async def _exited(host) -> tuple[int, int]:
    household_id, enrolment_id = await housed(host)
    await move(
        host, enrolment_id, "end", exit_date="2024-06-14", exit_destination="stayed", exit_reason=""
    )
    return household_id, enrolment_id


async def _row(enrolment_id: int) -> dict:
    return await Enrolment.select().where(Enrolment.id == enrolment_id).first()


async def test_an_exit_is_corrected_audited_and_on_the_timeline(database, host):
    household_id, enrolment_id = await _exited(host)
    version = (await _row(enrolment_id))["version"]
    changed = await correct_step(
        host,
        ACTOR,
        enrolment_id,
        "exit",
        {
            "exit_date": "2024-06-20",
            "exit_destination": "public_housing",
            "exit_reason": "",
            "correction_reason": "Date du bail social mal saisie",
        },
        version,
    )
    assert changed == ["exit_date", "exit_destination"]
    row = await _row(enrolment_id)
    assert row["exit_date"] == dt.date(2024, 6, 20)
    assert row["exit_destination"] == "public_housing"
    assert row["version"] == version + 1
    event = (
        await TimelineEvent.select()
        .where((TimelineEvent.household == household_id) & (TimelineEvent.kind == "correction"))
        .first()
    )
    assert event["title"] == "Correction de la sortie"
    assert "14/06/2024 → 20/06/2024" in event["body"]
    assert "Date du bail social mal saisie" in event["body"]
    # The exit's own event moved to the corrected date.
    exits = await TimelineEvent.select(TimelineEvent.occurred_at, TimelineEvent.data).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "state_change")
    )
    exit_event = next(e for e in exits if '"exit_date"' in str(e["data"]))
    assert clock.local_date(exit_event["occurred_at"]) == dt.date(2024, 6, 20)
    audits = await AuditEntry.select(AuditEntry.fields).where(
        (AuditEntry.action == "correct")
        & (AuditEntry.object_type == "enrolment")
        & (AuditEntry.object_id == enrolment_id)
    )
    assert len(audits) == 1 and "exit.exit_date" in str(audits[0]["fields"])
    # The report reads the corrected fact.
    exited = await exited_in_period("iml_mandate", Period.year(2024))
    assert [(e["exit_date"], e["exit_destination"]) for e in exited] == [
        (dt.date(2024, 6, 20), "public_housing")
    ]


async def test_a_correction_without_reason_or_out_of_order_writes_nothing(database, host):
    _, enrolment_id = await _exited(host)
    before = await _row(enrolment_id)
    with pytest.raises(FormErrors) as caught:
        await correct_step(
            host, ACTOR, enrolment_id, "entry", {"entry_date": "bad"}, before["version"]
        )
    # Every problem at once.
    assert set(caught.value.errors) == {"entry_date", "correction_reason"}
    with pytest.raises(FormErrors) as caught:
        await correct_step(
            host,
            ACTOR,
            enrolment_id,
            "entry",
            {"entry_date": "2024-07-01", "correction_reason": "erreur"},
            before["version"],
        )
    assert "entry_date" in caught.value.errors  # after the exit
    assert await _row(enrolment_id) == before
    assert await AuditEntry.count().where(AuditEntry.action == "correct") == 0


async def test_a_failing_effect_refuses_the_correction(database, host):
    """A plugin's effect (say, the dwelling is occupied at the new date) undoes everything."""
    _, enrolment_id = await _exited(host)
    before = await _row(enrolment_id)
    seen = []
    plugin = types.ModuleType("refusing_effect")

    async def refuse() -> None:
        raise FormErrors({"entry_date": "le logement est occupé à cette date"})

    @hookimpl
    def tremplin_step_corrected(correction):
        seen.append(correction)
        return refuse

    plugin.tremplin_step_corrected = tremplin_step_corrected
    sys.modules[plugin.__name__] = plugin
    host.pm.register(plugin, name="refusing_effect")
    try:
        with pytest.raises(FormErrors) as caught:
            await correct_step(
                host,
                ACTOR,
                enrolment_id,
                "entry",
                {"entry_date": "2024-03-04", "correction_reason": "date du bail"},
                before["version"],
            )
    finally:
        host.pm.unregister(name="refusing_effect")
        del sys.modules[plugin.__name__]
    assert caught.value.errors == {"entry_date": "le logement est occupé à cette date"}
    assert seen[0].step == "entry"
    assert seen[0].before == {"entry_date": dt.date(2024, 3, 1)}
    assert seen[0].after == {"entry_date": dt.date(2024, 3, 4)}
    assert await _row(enrolment_id) == before
    assert await TimelineEvent.count().where(TimelineEvent.kind == "correction") == 0
    assert await AuditEntry.count().where(AuditEntry.action == "correct") == 0


async def test_the_head_of_service_corrects_through_the_page(client, users, host):
    household_id, enrolment_id = await housed(host)
    worker = Session(client, await login(client, "social_worker@test.fr"), None)
    url = f"/enrolments/{enrolment_id}/corrections/entry"
    assert (await worker.get(url)).status_code == 403
    page = await worker.get(f"/households/{household_id}")
    assert "Corriger l&#39;entrée" not in page.text and "Corriger l'entrée" not in page.text
    await client.post("/logout", data={"_csrf": worker.csrf})
    head = Session(client, await login(client, "head_of_service@test.fr"), None)
    page = await head.get(f"/households/{household_id}")
    assert url in page.text
    form = await head.get(url)
    assert form.status_code == 200 and 'value="2024-03-01"' in form.text
    version = str((await _row(enrolment_id))["version"])
    refused = await head.post(url, {"version": version, "entry_date": "2024-03-04"})
    assert refused.status_code == 422
    assert "Indiquez le motif de la correction." in refused.text
    assert 'value="2024-03-04"' in refused.text  # the input is kept
    done = await head.post(
        url,
        {"version": version, "entry_date": "2024-03-04", "correction_reason": "bail signé le 4"},
    )
    assert done.status_code == 303
    assert (await _row(enrolment_id))["entry_date"] == dt.date(2024, 3, 4)
    stale = await head.post(
        url, {"version": version, "entry_date": "2024-03-05", "correction_reason": "encore"}
    )
    assert stale.status_code == 409 and "Version enregistrée" in stale.text
    timeline = (await head.get(f"/households/{household_id}")).text
    assert "Correction de l&#39;entrée" in timeline or "Correction de l'entrée" in timeline


async def test_an_effect_note_goes_on_the_correction_line(database, host):
    """An effect that leaves its records as they are returns a French note: the correction's
    timeline line carries it (an effect returning nothing adds no line)."""
    household_id, enrolment_id = await _exited(host)
    plugin = types.ModuleType("noting_effect")

    async def note() -> str:
        return "Module : rien à changer, déjà à jour."

    def silent() -> None:
        return None

    @hookimpl
    def tremplin_step_corrected(correction):
        return [note, silent]

    plugin.tremplin_step_corrected = tremplin_step_corrected
    sys.modules[plugin.__name__] = plugin
    host.pm.register(plugin, name="noting_effect")
    try:
        await correct_step(
            host,
            ACTOR,
            enrolment_id,
            "entry",
            {"entry_date": "2024-03-04", "correction_reason": "bail signé le 4"},
            (await _row(enrolment_id))["version"],
        )
    finally:
        host.pm.unregister(name="noting_effect")
        del sys.modules[plugin.__name__]
    event = (
        await TimelineEvent.select(TimelineEvent.body)
        .where((TimelineEvent.household == household_id) & (TimelineEvent.kind == "correction"))
        .first()
    )
    lines = event["body"].splitlines()
    assert lines[0] == "Date d'entrée : 01/03/2024 → 04/03/2024"
    assert lines[1] == "Module : rien à changer, déjà à jour."
    assert lines[-1] == "Motif : bail signé le 4"
    assert len(lines) == 3
