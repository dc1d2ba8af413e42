"""Upgrade to the one housing journey: data recorded twice under the earlier schema (an
occupancy typed by hand beside the enrolment, agreement renewals in four places) joins the
one record on both engines."""

from __future__ import annotations

import json

from tests.ops.upgrade_kit import T, blank_database, migrate_up_to
from tremplin import db
from tremplin.models import Enrolment, Household
from tremplin.plugins import load_plugins

HOUSING_BEFORE = "2026-11-23T08:40:00:000000"  # housing_0007: before the journey
SUBLEASE_BEFORE = "2026-11-23T05:14:34:053056"  # iml_sublease_0001: its own renewals table
RESIDENCE_BEFORE = "2026-11-23T07:51:49:000000"  # social_residence_0002: its derogations table


async def test_upgrade_ties_occupancies_to_enrolments_and_moves_renewals(db_url, tmp_path):
    raw = Household.raw
    async with blank_database(db_url, tmp_path, load_plugins(None).piccolo_apps):
        await migrate_up_to(
            ("tremplin", "all"),
            ("housing", HOUSING_BEFORE),
            ("iml_sublease", SUBLEASE_BEFORE),
            ("social_residence", RESIDENCE_BEFORE),
        )
        await raw(
            "INSERT INTO household (reference, name, search_text, composition, resources, "
            "situation_before_entry, address, phone, email, version, created_at, updated_at) "
            f"VALUES ('M-000001', 'ANCIEN Foyer', 'ancien', 'couple', '[]', 'chrs', '', '', '', "
            f"1, {T}, {T})"
        )
        enrolments = (
            # programme, state, entry, exit, data
            ("iml_sublease", "exited", "'2024-02-01'", "'2024-12-31'", {"renewals": 1}),
            (
                "iml_youth",
                "housed",
                "'2024-03-01'",
                "NULL",
                {
                    "renewals": 1,
                    "renewal_history": [
                        {"decided_on": "2024-05-20", "until": "2024-09-01", "decided_by": None}
                    ],
                    "cej_start": "2024-01-15",
                },
            ),
            (
                "cllaj_jappart",
                "housed",
                "'2024-01-10'",
                "NULL",
                {
                    "derogation_until": "2025-04-10",
                    "derogation_reason": "Attente HLM",
                    "derogation_history": [
                        {"until": "2025-04-10", "reason": "Attente HLM", "decided_on": "2024-12-01"}
                    ],
                },
            ),
            # The residence's stay derogations: one known only from the data's copy…
            (
                "social_residence",
                "housed",
                "'2023-01-01'",
                "NULL",
                {"derogation_until": "2025-06-30"},
            ),
            # …one in its own table (and its copy in the data).
            (
                "social_residence",
                "housed",
                "'2023-02-01'",
                "NULL",
                {"derogation_until": "2025-08-31", "stay_goal": "budget"},
            ),
        )
        for programme, state, entry, exit_, data in enrolments:
            # The JSON goes as a parameter: braces in a raw query are placeholders.
            await raw(
                "INSERT INTO enrolment (household, programme, state, referral_date, prescriber, "
                "entry_date, exit_date, exit_reason, exit_destination, data, version, created_at, "
                f"updated_at) VALUES (1, '{programme}', '{state}', '2024-01-02', 'siao', {entry}, "
                f"{exit_}, '', '', {{}}, 1, {T}, {T})",
                json.dumps(data),
            )
        await raw(
            "INSERT INTO social_residence_derogation (enrolment, decided_on, until, reason, "
            f"decided_by, created_at) VALUES (5, '2024-12-15', '2025-08-31', 'Attente HLM', NULL, {T})"
        )
        await raw(
            "INSERT INTO iml_sublease_renewal (enrolment, decided_on, until, derogation_reason, "
            f"created_at) VALUES (1, '2024-04-20', '2024-08-01', '', {T})"
        )
        await raw(
            f"INSERT INTO housing_owner (kind, name, created_at, updated_at) VALUES ('company', 'SCI', {T}, {T})"
        )
        await raw(
            "INSERT INTO housing_dwelling (reference, owner, typology, status, programme, "
            f"created_at, updated_at) VALUES ('L-000001', 1, 'T2', 'occupied', 'iml_sublease', {T}, {T})"
        )
        # Typed by hand two days after the enrolment's entry, never closed at its exit…
        await raw(
            "INSERT INTO housing_occupancy (dwelling, household, kind, programme, start_date, "
            f"created_at, updated_at) VALUES (1, 1, 'agreement', 'iml_sublease', '2024-02-03', {T}, {T})"
        )
        # …and the vacancy before it, left open.
        await raw(
            "INSERT INTO housing_vacancy (dwelling, start_date, cause, created_at) "
            f"VALUES (1, '2023-11-01', 'between_occupants', {T})"
        )

        await db.migrate()
        assert await db.pending_migrations() == {}

        occupancy = (
            await raw("SELECT enrolment, start_date, end_date, exit_reason FROM housing_occupancy")
        )[0]
        assert occupancy["enrolment"] == 1
        assert str(occupancy["end_date"])[:10] == "2024-12-31"
        dwelling = (await raw("SELECT status FROM housing_dwelling"))[0]
        assert dwelling["status"] == "available"
        vacancies = await raw(
            "SELECT start_date, end_date FROM housing_vacancy ORDER BY start_date"
        )
        assert [
            (str(v["start_date"])[:10], str(v["end_date"])[:10] if v["end_date"] else None)
            for v in vacancies
        ] == [
            ("2023-11-01", "2024-02-02"),
            ("2025-01-01", None),
        ]
        renewals = await raw(
            "SELECT enrolment, occupancy, until, derogation_reason FROM housing_agreement_renewal "
            "ORDER BY enrolment"
        )
        assert [
            (r["enrolment"], r["occupancy"], str(r["until"])[:10], r["derogation_reason"])
            for r in renewals
        ] == [
            (1, 1, "2024-08-01", ""),
            (2, None, "2024-09-01", ""),
            (3, None, "2025-04-10", "Attente HLM"),
            (4, None, "2025-06-30", ""),
            (5, None, "2025-08-31", "Attente HLM"),
        ]
        data = {
            r["programme"]: r["data"]
            for r in await Enrolment.select(Enrolment.programme, Enrolment.data)
            .order_by(Enrolment.id)
            .output(load_json=True)
        }
        assert data["iml_sublease"] == {}
        assert data["iml_youth"] == {"cej_start": "2024-01-15"}
        assert data["cllaj_jappart"] == {}
        # The residence's stay is housing's agreement: no copy left in the data (the last of
        # the two residence rows wins this dict).
        assert data["social_residence"] == {"stay_goal": "budget"}
        assert (
            await raw("SELECT id FROM enrolment WHERE CAST(data AS TEXT) LIKE '%derogation_until%'")
            == []
        )
        if db_url.startswith("sqlite"):
            gone = await raw("SELECT name FROM sqlite_master WHERE name = 'iml_sublease_renewal'")
        else:
            gone = await raw(
                "SELECT tablename FROM pg_tables WHERE tablename = 'iml_sublease_renewal'"
            )
        assert gone == []
        if db_url.startswith("sqlite"):
            gone = await raw(
                "SELECT name FROM sqlite_master WHERE name = 'social_residence_derogation'"
            )
        else:
            gone = await raw(
                "SELECT tablename FROM pg_tables WHERE tablename = 'social_residence_derogation'"
            )
        assert gone == []
