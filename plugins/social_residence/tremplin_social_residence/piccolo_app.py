"""Piccolo app of the ``social_residence`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_social_residence.tables import ResidenceUnit

APP_CONFIG = AppConfig(
    app_name="social_residence",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[ResidenceUnit],
    migration_dependencies=["tremplin.piccolo_app", "tremplin_housing.piccolo_app"],
)
