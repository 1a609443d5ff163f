"""Biosample records (models/.../biosamples/defaultSchema.json) from plain documents.

A biosample document has ``id`` (or ``_id``) and ``individual_id``; ``dataset_id`` is
allowed and not shown. The 1000 Genomes samples are DNA from lymphoblastoid cell lines of
unaffected donors, hence the defaults: status "reference sample" (EFO:0009654) and origin
"cell culture" (OBI:0001876), both as the schema's own examples name them.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.shared.vocabulary import OntologyTerm

REFERENCE_SAMPLE = OntologyTerm("EFO:0009654", "reference sample")
CELL_CULTURE = OntologyTerm("OBI:0001876", "cell culture")


class BiosampleDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1, validation_alias=AliasChoices("id", "_id"))
    individual_id: str = Field(min_length=1)
    dataset_id: str | None = None


def _term(term: OntologyTerm) -> JsonObject:
    return {"id": term.id, "label": term.label}


def build_biosample(
    document: Mapping[str, object],
    status: OntologyTerm = REFERENCE_SAMPLE,
    origin_type: OntologyTerm = CELL_CULTURE,
) -> JsonObject:
    """The Beacon record of a biosample; ``pydantic.ValidationError`` for a bad document."""
    biosample = BiosampleDocument.model_validate(document)
    return {
        "id": biosample.id,
        "individualId": biosample.individual_id,
        "biosampleStatus": _term(status),
        "sampleOriginType": _term(origin_type),
    }
