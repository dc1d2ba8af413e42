"""A version on claims, interventions and the housing settings: their edit forms carry it and
the second of two concurrent saves gets a conflict instead of silently overwriting."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Versions of claims, interventions and housing settings"

TABLES = (
    ("Claim", "housing_claim"),
    ("Intervention", "housing_intervention"),
    ("HousingSettings", "housing_settings"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name="version",
            db_column_name="version",
            column_class_name="Integer",
            column_class=Integer,
            params={
                "default": 1,
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
