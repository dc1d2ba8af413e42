"""Piccolo app of the ``iml_sublease`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_iml_sublease.tables import AgreementRenewal

APP_CONFIG = AppConfig(
    app_name="iml_sublease",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[AgreementRenewal],
    migration_dependencies=["tremplin.piccolo_app"],
)
