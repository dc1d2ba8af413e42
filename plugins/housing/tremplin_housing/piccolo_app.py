"""Piccolo app of the ``housing`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_housing.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="housing",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=list(TABLES),
    migration_dependencies=["tremplin.piccolo_app"],
)
