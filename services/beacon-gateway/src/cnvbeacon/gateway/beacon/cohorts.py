"""Cohort records (models/.../cohorts/defaultSchema.json): one per 1kGP (super)population.

A cohort document has ``id``, ``name``, ``level`` (``population`` or
``superpopulation``), ``code`` (e.g. ``GBR``), an optional ``label`` and ``size`` (number of
individuals). The cohorts are study-defined: the 1kGP sampling design defines them, and
their inclusion criterion is the (super)population as an ``ethnicities`` item, the same
custom term individuals carry.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.populations import ancestry_term
from cnvbeacon.shared.frequencies import GroupLevel

STUDY_DEFINED = "study-defined"


class CohortDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    level: GroupLevel
    code: str = Field(min_length=1)
    label: str | None = None
    size: int = Field(ge=0)


def build_cohort(document: Mapping[str, object]) -> JsonObject:
    """The Beacon record of a population cohort; ``pydantic.ValidationError`` if malformed."""
    cohort = CohortDocument.model_validate(document)
    return {
        "id": cohort.id,
        "name": cohort.name,
        "cohortType": STUDY_DEFINED,
        "cohortSize": cohort.size,
        "inclusionCriteria": {
            "ethnicities": [ancestry_term(cohort.level, cohort.code, cohort.label)],
        },
    }
