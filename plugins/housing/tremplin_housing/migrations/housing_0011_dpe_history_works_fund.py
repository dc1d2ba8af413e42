"""The history of each dwelling's energy label (``housing_dpe_record``: one row per label,
in force from the diagnostic's date) and, on inventories, what the works fund granted at a
tenant's departure (``fund_cents``). The existing labels are copied in ``housing_0012``
(``add_raw`` runs before ``add_table`` in one migration)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Date,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T12:36:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "DPE history of dwellings, works fund at an exit inventory"


class Dwelling(Table, tablename="housing_dwelling", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class User(Table, tablename="tremplin_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(null: bool = False, index: bool = False, **extra) -> dict:
    return {
        "null": null,
        "primary_key": False,
        "unique": False,
        "index": index,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


def _fk(references: type[Table], null: bool) -> dict:
    return _params(
        null=null,
        index=True,
        references=references,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.cascade,
        target_column=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Inventory",
        tablename="housing_inventory",
        column_name="fund_cents",
        db_column_name="fund_cents",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=0),
        schema=None,
    )
    table = "housing_dpe_record"
    manager.add_table(class_name="DpeRecord", tablename=table, schema=None, columns=None)
    columns = (
        ("dwelling", ForeignKey, _fk(Dwelling, null=False)),
        ("dpe_class", Varchar, _params(default="", length=1)),
        ("dpe_date", Date, _params(null=True, index=True, default=None)),
        ("valid_from", Date, _params(index=True, default=DateNow())),
        ("created_by", ForeignKey, _fk(User, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="DpeRecord",
            tablename=table,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
