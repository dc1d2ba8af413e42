"""Initial migration of the ``hostel`` plugin, written by ``tremplin plugin new``.

Later migrations come from Piccolo's generator (see the plugin guide)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Serial, Text
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Enrolment(Table, tablename="enrolment", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-23T06:14:35:369961"
VERSION = "1.38.0"
DESCRIPTION = "Reviews"


def _params(**overrides):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hostel", description=DESCRIPTION)
    manager.add_table(class_name="Review", tablename="hostel_review", schema=None, columns=None)
    columns = [
        (
            "enrolment",
            "ForeignKey",
            ForeignKey,
            _params(
                references=Enrolment,
                on_delete=OnDelete.restrict,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
                index=True,
            ),
        ),
        ("held_on", "Date", Date, _params(default=DateNow())),
        ("summary", "Text", Text, _params(default="")),
    ]
    for column, class_name, column_class, params in columns:
        manager.add_column(
            table_class_name="Review",
            tablename="hostel_review",
            column_name=column,
            db_column_name=column,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
