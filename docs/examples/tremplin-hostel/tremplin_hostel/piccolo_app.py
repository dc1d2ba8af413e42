"""Piccolo app of the ``hostel`` plugin: its name is the plugin's slug."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_hostel.tables import Review

APP_CONFIG = AppConfig(
    app_name="hostel",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[Review],
    migration_dependencies=["tremplin.piccolo_app"],
)
