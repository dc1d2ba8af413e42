"""The youth IML enrolment fields: SIAO validation, the two referents, the CEJ and the
young person's commitments. CEJ and job-project fields form the ``cej`` group, the only
programme information a Mission Locale partner may be shown (never rent details)."""

from __future__ import annotations

from tremplin.api import N_, Field
from tremplin_iml_youth.rules import CEJ_MAX_ALLOWANCE_CENTS

CEJ_GROUP = "cej"

SIAO = Field("siao_validation_date", N_("Date de validation SIAO"), kind="date", order=10)
COUNSELLOR = Field("ml_counsellor", N_("Conseiller·ère Mission Locale"), order=20, group=CEJ_GROUP)

CEJ_FIELDS = (
    Field("cej_start", N_("Début du CEJ"), kind="date", order=30, group=CEJ_GROUP),
    Field(
        "cej_end",
        N_("Fin du CEJ"),
        kind="date",
        order=31,
        group=CEJ_GROUP,
        help=N_("12 mois, 18 au plus"),
    ),
    Field(
        "cej_allowance",
        N_("Allocation CEJ mensuelle"),
        kind="money",
        order=32,
        group=CEJ_GROUP,
        minimum=0,
        maximum=CEJ_MAX_ALLOWANCE_CENTS,
        help=N_("528,00 € par mois au plus"),
    ),
    Field("cej_suspended", N_("Allocation CEJ suspendue"), kind="bool", order=33, group=CEJ_GROUP),
    Field("cej_suspended_on", N_("Date de la suspension"), kind="date", order=34, group=CEJ_GROUP),
)

COMMITMENTS = (
    Field(
        "commit_ml_follow_up",
        N_("Engagement : suivi régulier avec la Mission Locale"),
        kind="bool",
        order=40,
        group=CEJ_GROUP,
    ),
    Field(
        "commit_job_search",
        N_("Engagement : recherche active d'emploi"),
        kind="bool",
        order=41,
        group=CEJ_GROUP,
    ),
    Field(
        "commit_tripartite",
        N_("Engagement : rendez-vous tripartites"),
        kind="bool",
        order=42,
        group=CEJ_GROUP,
    ),
)

JOB_PROJECT = Field(
    "job_project", N_("Projet professionnel"), kind="textarea", order=50, group=CEJ_GROUP
)

ENROLMENT_FIELDS = (SIAO, COUNSELLOR, *CEJ_FIELDS, *COMMITMENTS, JOB_PROJECT)

#: What the CEJ form of the enrolment panel updates.
CEJ_FORM = (COUNSELLOR, *CEJ_FIELDS, *COMMITMENTS, JOB_PROJECT)
