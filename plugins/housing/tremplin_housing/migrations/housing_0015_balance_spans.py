"""The balance timeline of each household's rent account (``housing_balance_span``, derived
from the ledger: the arrears review filters and sorts balances at a date in SQL). Filled and
indexed in ``housing_0016`` (``add_raw`` runs before ``add_table`` in one migration)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T16:58:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing balance timeline (arrears review sorted in SQL)"


class Household(Table, tablename="household", schema=None):
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
    manager = MigrationManager(migration_id=ID, app_name="housing", description=DESCRIPTION)
    table = "housing_balance_span"
    manager.add_table(class_name="BalanceSpan", tablename=table, schema=None, columns=None)
    fk = _params(
        index=True,
        references=Household,
        on_delete=OnDelete.restrict,
        on_update=OnUpdate.cascade,
        target_column=None,
    )
    columns = (
        ("household", ForeignKey, fk),
        ("from_day", Date, _params(default=None)),
        ("to_day", Date, _params(default=None)),
        ("balance_cents", Integer, _params(default=0)),
        ("last_payment", Date, _params(default=None)),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="BalanceSpan",
            tablename=table,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
