"""The pooled works fund's grants (``rental_agency_fund_grant``): energy improvement,
accompanied self-renovation and other improvement works of the agency's dwellings."""

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

ID = "2026-12-02T16:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Rental agency: the pooled works fund's grants"


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rental_agency", description=DESCRIPTION)
    table = "rental_agency_fund_grant"
    manager.add_table(class_name="FundGrant", tablename=table, schema=None, columns=None)
    columns = (
        ("dwelling_id", Integer, _params(index=True, default=0)),
        ("field", Varchar, _params(index=True, default="", length=30)),
        ("granted_on", Date, _params(index=True, default=DateNow())),
        ("amount_cents", Integer, _params(default=0)),
        ("works", Varchar, _params(default="", length=300)),
        (
            "created_by",
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
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="FundGrant",
            tablename=table,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
