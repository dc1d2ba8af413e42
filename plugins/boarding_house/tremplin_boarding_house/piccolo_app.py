"""Piccolo app of the ``boarding_house`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_boarding_house.tables import Activity, Host, House, Unit

APP_CONFIG = AppConfig(
    app_name="boarding_house",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[House, Unit, Host, Activity],
    migration_dependencies=["tremplin.piccolo_app"],
)
