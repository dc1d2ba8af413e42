"""The housing journey: an occupancy names the enrolment whose entry opened it, and every
programme's occupancy-agreement renewals live in one table (``housing_agreement_renewal``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Text, Timestamptz
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Housing journey: occupancy ↔ enrolment, one table of agreement renewals"


class Enrolment(Table, tablename="enrolment", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class Occupancy(Table, tablename="housing_occupancy", schema=None):
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
        table_class_name="Occupancy",
        tablename="housing_occupancy",
        column_name="enrolment",
        db_column_name="enrolment",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_fk(Enrolment, null=True),
        schema=None,
    )
    renewal = "housing_agreement_renewal"
    manager.add_table(class_name="AgreementRenewal", tablename=renewal, schema=None, columns=None)
    columns = (
        ("enrolment", ForeignKey, _fk(Enrolment, null=False)),
        ("occupancy", ForeignKey, _fk(Occupancy, null=True)),
        ("decided_on", Date, _params(default=DateNow())),
        ("until", Date, _params(index=True, default=DateNow())),
        ("derogation_reason", Text, _params(default="")),
        ("decided_by", Integer, _params(null=True, default=None)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="AgreementRenewal",
            tablename=renewal,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
