"""Individual records (models/.../individuals/defaultSchema.json) from stored documents.

* ``id``: the individual's own id (e.g. ``HG00096``); the dataset is given by the result
  set the record is listed in.
* ``sex``: the NCIT term (female ``NCIT:C16576``, male ``NCIT:C20197``, unknown
  ``NCIT:C17998``).
* ``ethnicity``: the 1kGP population as a custom term (``population:GBR``, see
  :mod:`cnvbeacon.gateway.beacon.populations`); no ontology term is claimed for it.
* ``info.ancestry``: ``{"population": term, "superpopulation": term}``, both levels of
  the 1kGP sampling design (the schema has one ``ethnicity`` only).
* ``geographicOrigin`` is left out: the 1kGP groups name where samples were collected and
  the ancestry of the donors, not a birthplace the schema's GAZ terms would denote.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.populations import ancestry_term
from cnvbeacon.shared.frequencies import GroupLevel
from cnvbeacon.shared.models import Individual
from cnvbeacon.shared.vocabulary import SEX_TERMS


def sex_term(sex: str) -> JsonObject:
    term = SEX_TERMS[sex]
    return {"id": term.id, "label": term.label}


def build_ancestry(individual: Individual) -> JsonObject:
    """The ``info.ancestry`` structure: the known levels, each as a custom term."""
    ancestry: JsonObject = {}
    if individual.population is not None:
        ancestry["population"] = ancestry_term(
            GroupLevel.POPULATION, individual.population, individual.population_name
        )
    if individual.superpopulation is not None:
        ancestry["superpopulation"] = ancestry_term(
            GroupLevel.SUPERPOPULATION,
            individual.superpopulation,
            individual.superpopulation_name,
        )
    return ancestry


def build_individual(document: Mapping[str, object]) -> JsonObject:
    """The Beacon record of a stored individual (a :class:`Individual` document).

    Raises ``pydantic.ValidationError`` for a document that is not one.
    """
    individual = Individual.model_validate(document)
    record: JsonObject = {"id": individual.individual_id, "sex": sex_term(individual.sex)}
    ancestry = build_ancestry(individual)
    if "population" in ancestry:
        record["ethnicity"] = ancestry["population"]
    if ancestry:
        record["info"] = {"ancestry": ancestry}
    return record
