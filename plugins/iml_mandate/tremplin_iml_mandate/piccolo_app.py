"""Piccolo app of the ``iml_mandate`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_iml_mandate.tables import FundedMeasures, StabilisationAxis

APP_CONFIG = AppConfig(
    app_name="iml_mandate",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[StabilisationAxis, FundedMeasures],
    migration_dependencies=["tremplin.piccolo_app"],
)
