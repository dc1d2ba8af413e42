"""The occupancy agreement's renewals move to housing's one table of renewals
(``housing_agreement_renewal``, tied to the enrolment's occupancy when there is one); the
programme's own table goes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T00:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Agreement renewals moved to housing"

COPY = (
    "INSERT INTO housing_agreement_renewal "
    "(enrolment, occupancy, decided_on, until, derogation_reason, decided_by, created_at) "
    "SELECT r.enrolment, "
    "(SELECT o.id FROM housing_occupancy o WHERE o.enrolment = r.enrolment "
    "ORDER BY o.start_date DESC LIMIT 1), "
    "r.decided_on, r.until, r.derogation_reason, r.decided_by, r.created_at "
    "FROM iml_sublease_renewal r ORDER BY r.id"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="iml_sublease", description=DESCRIPTION)

    async def copy_renewals():
        from piccolo.apps.migrations.tables import Migration

        await Migration.raw(COPY)

    # Raw steps run before the table drop below, in the same transaction.
    manager.add_raw(copy_renewals)
    manager.drop_table(class_name="AgreementRenewal", tablename="iml_sublease_renewal")
    return manager
