"""Piccolo app of the ``iml_sublease`` plugin (no table left, its migrations stay)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_iml_sublease.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="iml_sublease",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=list(TABLES),
    # Housing's agreement table must exist before 0002 moves the renewals into it.
    migration_dependencies=["tremplin.piccolo_app", "tremplin_housing.piccolo_app"],
)
