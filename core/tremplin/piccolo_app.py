"""The core's Piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin.models import CORE_TABLES

APP_CONFIG = AppConfig(
    app_name="tremplin",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=list(CORE_TABLES),
    migration_dependencies=[],
    commands=[],
)
