"""Households, people and memberships; search; conflicts; the audit trail."""

import datetime as dt

import pytest

from tremplin.forms import FormErrors
from tremplin.models import AuditEntry, Household, Membership, Person
from tremplin.services import audit
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None, address="10.0.0.1")


async def test_create_validates_everything_at_once_and_writes_nothing_on_error(database):
    with pytest.raises(FormErrors) as caught:
        await hh.create_household(
            ACTOR,
            {"name": "", "composition": "martian", "email": "pas-une-adresse"},
            {"first_name": "Léa", "last_name": "", "birth_date": "31/02/1990"},
        )
    assert caught.value.errors == {
        "name": "ce champ est obligatoire",
        "composition": "choix inconnu",
        "email": "adresse électronique invalide",
        "person_last_name": "ce champ est obligatoire",
        "person_birth_date": "date invalide (format attendu : jj/mm/aaaa)",
    }
    assert await Household.count() == 0 and await Person.count() == 0


async def test_created_household_has_reference_person_and_reference(database):
    household_id = await hh.create_household(
        ACTOR,
        {"name": "NGUYEN Éléonore", "composition": "single_mother", "resources": ["rsa", "cej"]},
        {"first_name": "Éléonore", "last_name": "Nguyen", "birth_date": "12/03/1991", "sex": "F"},
    )
    household = await hh.get_household(household_id)
    assert household["reference"] == f"M-{household_id:06d}"
    assert household["resources"] == ["rsa", "cej"]
    members = await hh.household_members(household_id)
    assert [(m["first_name"], m["relation"], m["birth_date"]) for m in members] == [
        ("Éléonore", "reference", dt.date(1991, 3, 12))
    ]


@pytest.mark.parametrize("query", ["eleonore", "ÉLÉONORE", "Eléonore nguyen", "nguy"])
async def test_search_ignores_case_and_accents_on_both_engines(database, query):
    target = await hh.create_household(
        ACTOR, {"name": "NGUYEN Éléonore"}, {"first_name": "Éléonore", "last_name": "Nguyen"}
    )
    await hh.create_household(
        ACTOR, {"name": "MARTIN Léon"}, {"first_name": "Léon", "last_name": "Martin"}
    )
    rows, _ = await hh.list_households(query)
    assert [r["id"] for r in rows] == [target]


async def test_search_finds_members_and_stray_wildcards_match_nothing(database):
    household_id = await hh.create_household(ACTOR, {"name": "Famille TRAORÉ"})
    await hh.add_member(
        ACTOR,
        household_id,
        {
            "first_name": "Aïcha",
            "last_name": "Traoré",
            "relation": "child",
            "start_date": "2024-01-05",
        },
    )
    assert [r["id"] for r in (await hh.list_households("aicha"))[0]] == [household_id]
    assert (await hh.list_households("%"))[0] == (await hh.list_households(""))[0]
    assert (await hh.list_households("zzz_"))[0] == []


async def test_keyset_pagination_walks_every_household_once(database):
    ids = [await hh.create_household(ACTOR, {"name": f"FOYER {i}"}) for i in range(7)]
    seen, cursor = [], None
    while True:
        rows, cursor = await hh.list_households(before_id=cursor, limit=3)
        seen.extend(r["id"] for r in rows)
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


async def test_second_save_on_the_same_version_is_a_conflict(database):
    household_id = await hh.create_household(ACTOR, {"name": "ROUX Paul"})
    await hh.update_household(
        ACTOR, household_id, 1, {"name": "ROUX Paul", "phone": "06 11 22 33 44"}
    )
    with pytest.raises(hh.ConflictError) as caught:
        await hh.update_household(ACTOR, household_id, 1, {"name": "ROUX Paulo"})
    assert caught.value.current["phone"] == "06 11 22 33 44"
    assert (await hh.get_household(household_id))["name"] == "ROUX Paul"


async def test_a_person_moves_to_another_household_and_both_keep_history(database):
    first = await hh.create_household(
        ACTOR, {"name": "BLANC Julie"}, {"first_name": "Julie", "last_name": "Blanc"}
    )
    marc = await hh.add_member(
        ACTOR,
        first,
        {
            "first_name": "Marc",
            "last_name": "Blanc",
            "relation": "spouse",
            "start_date": "2020-05-01",
        },
    )
    marc_person = (await Membership.select(Membership.person).where(Membership.id == marc).first())[
        "person"
    ]
    await hh.end_membership(ACTOR, marc, dt.date(2024, 6, 30))
    second = await hh.create_household(ACTOR, {"name": "BLANC Marc"})
    await hh.add_member(
        ACTOR, second, {"relation": "reference", "start_date": "2024-07-01"}, person_id=marc_person
    )
    old = await hh.household_members(first)
    # Ordered by arrival: Marc came in 2020, Julie's membership starts today.
    assert [(m["first_name"], m["end_date"]) for m in old] == [
        ("Marc", dt.date(2024, 6, 30)),
        ("Julie", None),
    ]
    assert [m["first_name"] for m in await hh.household_members(first, include_past=False)] == [
        "Julie"
    ]
    assert [m["person_id"] for m in await hh.household_members(second)] == [marc_person]
    # Search follows current members only.
    assert [r["id"] for r in (await hh.list_households("marc"))[0]] == [second]
    with pytest.raises(FormErrors):
        await hh.end_membership(ACTOR, marc, dt.date(2019, 1, 1))


async def test_writes_are_audited_with_field_names_not_values(database):
    household_id = await hh.create_household(ACTOR, {"name": "SECRET Nom", "phone": "0611223344"})
    await hh.update_household(ACTOR, household_id, 1, {"name": "SECRET Nom", "phone": "0700000000"})
    rows = (
        await AuditEntry.select().where(AuditEntry.object_id == household_id).output(load_json=True)
    )
    assert [(r["action"], r["address"]) for r in rows] == [
        ("create", "10.0.0.1"),
        ("update", "10.0.0.1"),
    ]
    assert rows[1]["fields"] == ["phone"]
    assert all("0700000000" not in str(r) and "SECRET" not in str(r) for r in rows)


async def test_audit_chain_detects_tampering(database):
    for i in range(3):
        await audit.record("read", "household", i, user_id=1, address="::1")
    assert await audit.verify_chain() is None
    second = (await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id))[1]["id"]
    await AuditEntry.update({AuditEntry.object_id: 99}).where(AuditEntry.id == second)
    assert await audit.verify_chain() == second


async def test_audit_chains_per_object_detect_a_removed_entry(database):
    """Each entry carries the hash of the previous entry about the same object: appends
    about different households never wait for each other, and removing an entry from the
    middle of a chain, or rewriting one, is still detected."""
    for _ in range(3):
        for household in (1, 2):
            await audit.record("read", "household", household, user_id=1, address="::1")
    await audit.record("login", "session", user_id=1)
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert await audit.verify_chain() is None
    first_of_2 = [r for r in rows if r["object_id"] == 2]
    assert first_of_2[0]["prev_hash"] == ""
    assert [r["prev_hash"] for r in first_of_2[1:]] == [r["hash"] for r in first_of_2[:-1]]
    await AuditEntry.delete().where(AuditEntry.id == first_of_2[1]["id"])
    assert await audit.verify_chain() == first_of_2[2]["id"]


async def test_concurrent_audit_appends_keep_every_chain_intact(database):
    """Reads of many households at once, and of one household by several users at once,
    each append exactly one entry and leave every chain verifiable (on PostgreSQL the
    appends about one object are serialised by that chain's advisory lock only)."""
    import asyncio

    await asyncio.gather(
        *(audit.record("read", "household", h % 4, user_id=h, address="::1") for h in range(24))
    )
    assert await AuditEntry.count() == 24
    assert await audit.verify_chain() is None
    for household in range(4):
        rows = (
            await AuditEntry.select(AuditEntry.prev_hash, AuditEntry.hash)
            .where(AuditEntry.object_id == household)
            .order_by(AuditEntry.id)
        )
        assert [r["prev_hash"] for r in rows] == ["", *(r["hash"] for r in rows[:-1])]


async def test_search_pages_through_matches_and_survives_quotes_and_short_words(database):
    """The indexed search (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) answers like a
    substring match: paginated, combined with short words, quotes taken literally."""
    matching = [await hh.create_household(ACTOR, {"name": f"DUPRÉ Inès k{c}"}) for c in "abcde"]
    await hh.create_household(ACTOR, {"name": "DURAND Inès"})
    seen, cursor = [], None
    while True:
        rows, cursor = await hh.list_households("upr", before_id=cursor, limit=2)
        seen.extend(r["id"] for r in rows)
        if cursor is None:
            break
    assert seen == sorted(matching, reverse=True)
    # A short word (no trigram) still filters, by substring.
    assert [r["id"] for r in (await hh.list_households("dupre kd"))[0]] == [matching[3]]
    assert (await hh.list_households('dupre"'))[0] == []
    assert (await hh.list_households('"ines"'))[0] == []
    # A renamed household is found under its new name only.
    await hh.update_household(ACTOR, matching[0], 1, {"name": "ZÉPHYR Inès"})
    assert [r["id"] for r in (await hh.list_households("zephyr"))[0]] == [matching[0]]
    assert matching[0] not in [r["id"] for r in (await hh.list_households("dupre"))[0]]
