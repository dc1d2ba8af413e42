"""Upgrades: a database populated under an earlier schema (the first release's migrations
only) takes every later migration with its data intact, on both engines."""

from __future__ import annotations

import datetime as dt

from tests.ops.upgrade_kit import blank_database, migrate_up_to
from tremplin import db
from tremplin.models import Enrolment, Household, Person, User
from tremplin.plugins import load_plugins

FIRST_RELEASE = "2026-11-23T05:06:39:000000"  # tremplin_0002_indexes: the foundation's schema


async def test_migrating_a_populated_first_release_database(db_url, tmp_path):
    host = load_plugins(None)
    async with blank_database(db_url, tmp_path, ["tremplin.piccolo_app"]) as engine:
        await migrate_up_to(("tremplin", FIRST_RELEASE))
        # Data written with the first release's columns only.
        await User.raw(
            "INSERT INTO tremplin_user (email, full_name, role, programmes, password_hash, active, "
            "failed_logins, must_change_password, created_at) VALUES "
            "('ancien@asso.fr', 'Ancien', 'social_worker', '[]', 'x', true, 0, false, '2025-01-02 00:00:00+00:00')"
        )
        await Household.raw(
            "INSERT INTO household (reference, name, search_text, composition, resources, "
            "situation_before_entry, address, phone, email, version, created_at, updated_at) VALUES "
            "('M-000001', 'ANCIEN Foyer', 'ancien foyer m-000001', 'couple', '[\"rsa\"]', 'chrs', "
            "'1 rue Haute', '', '', 3, '2025-01-02 00:00:00+00:00', '2025-01-02 00:00:00+00:00')"
        )
        await Person.raw(
            "INSERT INTO person (first_name, last_name, birth_date, sex, nationality, version, created_at) "
            "VALUES ('Jean', 'Ancien', '1970-05-06', 'M', 'france', 1, '2025-01-02 00:00:00+00:00')"
        )
        await Enrolment.raw(
            "INSERT INTO enrolment (household, programme, state, referral_date, prescriber, "
            "entry_date, exit_reason, exit_destination, version, created_at, updated_at) "
            "VALUES (1, 'iml_sublease', 'housed', '2024-01-02', 'siao', '2024-02-01', '', '', 1, "
            "'2025-01-02 00:00:00+00:00', '2025-01-02 00:00:00+00:00')"
        )

        # The new version: every app of the enabled plugins, every later migration.
        db.configure(engine, host.piccolo_apps)
        await db.migrate()
        assert await db.pending_migrations() == {}
        household = await Household.select().output(load_json=True).first()
        assert (household["name"], household["version"], household["resources"]) == (
            "ANCIEN Foyer",
            3,
            ["rsa"],
        )
        assert household["archived_at"] is None and household["anonymised_at"] is None
        user = await User.select(User.email, User.totp_secret, User.can_see_sensitive).first()
        assert user == {"email": "ancien@asso.fr", "totp_secret": "", "can_see_sensitive": False}
        enrolment = await Enrolment.select(
            Enrolment.state, Enrolment.external_id, Enrolment.entry_date
        ).first()
        assert enrolment == {
            "state": "housed",
            "external_id": None,
            "entry_date": dt.date(2024, 2, 1),
        }
        assert (await Person.select(Person.birth_date).first())["birth_date"] == dt.date(1970, 5, 6)
