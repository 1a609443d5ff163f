"""Translating a Beacon variant query into query-service lookups, one per dataset."""

from __future__ import annotations

from collections.abc import Iterable

from cnvbeacon.gateway.beacon.errors import bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterField
from cnvbeacon.gateway.beacon.populations import POPULATIONS, SUPERPOPULATIONS
from cnvbeacon.gateway.beacon.query import BeaconQuery, GenomicBracket, GenomicRange
from cnvbeacon.shared.vocabulary import CNV_TERMS

_FIELD_UNIVERSE: dict[FilterField, frozenset[str]] = {
    FilterField.SEX: frozenset({"female", "male", "unknown"}),
    FilterField.VARIANT_TYPE: frozenset(CNV_TERMS),
    FilterField.POPULATION: frozenset(p.code for p in POPULATIONS),
    FilterField.SUPERPOPULATION: frozenset(p.code for p in SUPERPOPULATIONS),
}
_FIELD_PARAMETER: dict[FilterField, str] = {
    FilterField.SEX: "sex",
    FilterField.VARIANT_TYPE: "variant_type",
    FilterField.POPULATION: "population",
    FilterField.SUPERPOPULATION: "superpopulation",
}


def _allowed_values(query: BeaconQuery) -> dict[FilterField, frozenset[str]]:
    """Filters on the same field are ANDed; a negated filter allows everything else."""
    allowed: dict[FilterField, frozenset[str]] = {}
    for beacon_filter in query.filters:
        condition = beacon_filter.condition
        universe = _FIELD_UNIVERSE[condition.field]
        values = universe - condition.values if condition.negated else condition.values
        allowed[condition.field] = allowed.get(condition.field, universe) & values
    return allowed


def lookup_parameters(query: BeaconQuery, default_assembly: str) -> dict[str, str] | None:
    """Query-service parameters (without dataset and paging) for a g_variants request;
    None when the filters contradict each other, so nothing can match."""
    variant = query.variant
    if variant is None or (
        variant.reference_name is None and variant.gene_id is None and variant.cytoband is None
    ):
        raise bad_request(
            "a variant query needs referenceName with start and end, geneId or cytoBand",
            "referenceName",
        )
    params: dict[str, str] = {"assembly": variant.assembly_id or default_assembly}
    if variant.gene_id is not None:
        params["gene"] = variant.gene_id
    elif variant.cytoband is not None:
        params["cytoband"] = variant.cytoband
    else:
        assert variant.reference_name is not None
        params["chrom"] = variant.reference_name
    location = variant.location
    if isinstance(location, GenomicRange):
        params |= {"start": str(location.start), "end": str(location.end)}
    elif isinstance(location, GenomicBracket):
        params |= {
            "match": "bracket",
            "start": str(location.start_min),
            "start_max": str(location.start_max),
            "end_min": str(location.end_min),
            "end": str(location.end_max),
        }
    allowed = _allowed_values(query)
    variant_types = set(variant.variant_type_ids)
    if FilterField.VARIANT_TYPE in allowed:
        filtered = allowed.pop(FilterField.VARIANT_TYPE)
        variant_types = variant_types & filtered if variant_types else set(filtered)
        if not variant_types:
            return None
    if variant_types:
        params["variant_type"] = ",".join(sorted(variant_types))
    if variant.variant_min_length is not None:
        params["min_length"] = str(max(variant.variant_min_length, 1))
    if variant.variant_max_length is not None:
        params["max_length"] = str(variant.variant_max_length)
    for field, values in allowed.items():
        if not values:
            return None
        params[_FIELD_PARAMETER[field]] = ",".join(sorted(values))
    return params


def datasets_to_search(query: BeaconQuery, known: Iterable[str]) -> list[str]:
    known_ids = sorted(known)
    if not query.dataset_ids:
        return known_ids
    unknown = sorted(set(query.dataset_ids) - set(known_ids))
    if unknown:
        raise bad_request(
            f"unknown dataset {unknown[0]!r}; known: {', '.join(known_ids)}", "datasetIds"
        )
    return sorted(query.dataset_ids)
