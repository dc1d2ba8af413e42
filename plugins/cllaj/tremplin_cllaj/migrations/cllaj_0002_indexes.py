"""Composite and unique indexes, and the two desk places of the ASL (seed 003), which an
administrator may deactivate or complement on the places page."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T07:51:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "CLLAJ indexes and default desk places"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS cllaj_desk_intake_session_id ON cllaj_desk_intake (session, id)",
    "CREATE INDEX IF NOT EXISTS cllaj_desk_session_held_id ON cllaj_desk_session (held_on, id)",
    "CREATE INDEX IF NOT EXISTS cllaj_workshop_held_id ON cllaj_workshop (held_on, id)",
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS cllaj_committee_decision_uniq "
        "ON cllaj_committee_decision (meeting, enrolment)"
    ),
    (
        "CREATE INDEX IF NOT EXISTS cllaj_committee_decision_enrolment_meeting "
        "ON cllaj_committee_decision (enrolment, meeting)"
    ),
)

PLACES = ("Mission Locale Saint-Étienne", "Mission Locale Saint-Chamond")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cllaj", description=DESCRIPTION)

    async def create_indexes():
        import datetime as dt

        from tremplin_cllaj.tables import DeskPlace

        for sql in STATEMENTS:
            await DeskPlace.raw(sql)
        for name in PLACES:
            if not await DeskPlace.exists().where(DeskPlace.name == name):
                await DeskPlace.insert(
                    DeskPlace(name=name, active=True, created_at=dt.datetime.now(dt.UTC))
                )

    manager.add_raw(create_indexes)
    return manager
