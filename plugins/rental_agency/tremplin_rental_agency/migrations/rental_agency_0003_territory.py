"""The agency's metropolis (``rental_agency_territory``): the postcodes or communes the
administrator sets, for the GLA's share « dans la métropole »."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T12:36:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "Rental agency: the metropolis's postcodes and communes"


class User(Table, tablename="tremplin_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(null: bool = False, **extra) -> dict:
    return {
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rental_agency", description=DESCRIPTION)
    table = "rental_agency_territory"
    manager.add_table(class_name="Territory", tablename=table, schema=None, columns=None)
    columns = (
        ("label", Varchar, _params(default="", length=100)),
        ("entries", Text, _params(default="")),
        ("version", Integer, _params(default=1)),
        (
            "updated_by",
            ForeignKey,
            _params(
                null=True,
                index=True,
                references=User,
                on_delete=OnDelete.restrict,
                on_update=OnUpdate.cascade,
                target_column=None,
            ),
        ),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="Territory",
            tablename=table,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
