from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T08:32:24:976251"
VERSION = "1.38.0"
DESCRIPTION = "Housing captation: owner contact date, indexes on the pipeline dates"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Dwelling",
        tablename="housing_dwelling",
        column_name="contacted_on",
        db_column_name="contacted_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Dwelling",
        tablename="housing_dwelling",
        column_name="captured_on",
        db_column_name="captured_on",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Dwelling",
        tablename="housing_dwelling",
        column_name="returned_on",
        db_column_name="returned_on",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    return manager
