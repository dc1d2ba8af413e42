"""Stabilisation axes through the service: cross-field rules, one row per axis, closed
after the end of support."""

import datetime as dt

import pytest

from tests.plugins.iml_mandate.helpers import housed, move
from tremplin.forms import FormErrors
from tremplin.services.clock import today
from tremplin_iml_mandate.axes import save_axis
from tremplin_iml_mandate.tables import StabilisationAxis


async def test_axis_rules_and_closing(database, host):
    _, enrolment_id = await housed(host, start="2024-01-15")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(FormErrors) as caught:
        await save_axis(
            enrolment_id,
            "employment",
            {
                "goals": "Inscription à France Travail",
                "progress": "in_progress",
                "reviewed_on": tomorrow,
            },
            None,
            "",
        )
    assert caught.value.errors == {"reviewed_on": "la date du point est dans le futur"}
    with pytest.raises(FormErrors) as caught:
        await save_axis(
            enrolment_id, "employment", {"progress": "", "reviewed_on": "2024-04-01"}, None, ""
        )
    assert caught.value.errors == {"progress": "ce champ est obligatoire"}
    with pytest.raises(LookupError):
        await save_axis(
            enrolment_id,
            "astrology",
            {"progress": "not_started", "reviewed_on": "2024-04-01"},
            None,
            "",
        )
    # Not started without goals is allowed (an axis noted as not worked on).
    await save_axis(
        enrolment_id, "upkeep", {"progress": "not_started", "reviewed_on": "2024-04-01"}, None, ""
    )
    await save_axis(
        enrolment_id,
        "employment",
        {
            "goals": "Inscription à France Travail",
            "progress": "achieved",
            "reviewed_on": "2024-06-01",
        },
        None,
        "",
    )
    rows = await StabilisationAxis.select(
        StabilisationAxis.axis, StabilisationAxis.progress
    ).order_by(StabilisationAxis.axis)
    assert rows == [
        {"axis": "employment", "progress": "achieved"},
        {"axis": "upkeep", "progress": "not_started"},
    ]
    await move(host, enrolment_id, "end", exit_date="2024-12-31", exit_destination="stayed")
    with pytest.raises(FormErrors) as caught:
        await save_axis(
            enrolment_id,
            "budget",
            {"goals": "x", "progress": "in_progress", "reviewed_on": "2024-06-01"},
            None,
            "",
        )
    assert caught.value.errors == {
        "_axis": "Les axes ne se modifient que pendant l'accompagnement."
    }
