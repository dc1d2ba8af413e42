"""The three enrolment workflows of the CLLAJ (one module each): supported lease,
J'APPART and the young workers' sliding-lease path."""

from __future__ import annotations

from tremplin_cllaj.workflow_bail import BAIL_WORKFLOW
from tremplin_cllaj.workflow_glissant import GLISSANT_WORKFLOW
from tremplin_cllaj.workflow_jappart import JAPPART_WORKFLOW

__all__ = ["BAIL_WORKFLOW", "GLISSANT_WORKFLOW", "JAPPART_WORKFLOW", "WORKFLOWS"]

WORKFLOWS = (BAIL_WORKFLOW, JAPPART_WORKFLOW, GLISSANT_WORKFLOW)
