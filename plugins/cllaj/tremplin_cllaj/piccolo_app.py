"""Piccolo app of the ``cllaj`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_cllaj.tables import (
    CommitteeDecision,
    CommitteeMeeting,
    DeskIntake,
    DeskPlace,
    DeskSession,
    Workshop,
)

APP_CONFIG = AppConfig(
    app_name="cllaj",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[
        DeskPlace,
        DeskSession,
        DeskIntake,
        Workshop,
        CommitteeMeeting,
        CommitteeDecision,
    ],
    migration_dependencies=["tremplin.piccolo_app"],
)
