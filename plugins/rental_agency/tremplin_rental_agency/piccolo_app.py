"""Piccolo app of the ``rental_agency`` plugin."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tremplin_rental_agency.tables import (
    Allocation,
    ArrearsCase,
    ArrearsCause,
    ArrearsCommission,
    Criterion,
    Demand,
    DeskAppointment,
    FundGrant,
    Grid,
    Presentation,
    Session,
    Territory,
)

APP_CONFIG = AppConfig(
    app_name="rental_agency",
    migrations_folder_path=Path(__file__).parent / "migrations",
    table_classes=[
        Demand,
        DeskAppointment,
        Grid,
        Criterion,
        Session,
        Presentation,
        Allocation,
        ArrearsCause,
        ArrearsCommission,
        ArrearsCase,
        Territory,
        FundGrant,
    ],
    migration_dependencies=["tremplin.piccolo_app"],
)
