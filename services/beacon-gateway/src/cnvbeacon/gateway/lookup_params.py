"""Translating a Beacon query into query-service lookup parameters.

The query service takes a region (``chrom``/``start``/``end`` with ``match``, or ``gene``,
or ``cytoband``; none: genome-wide where allowed), call filters (``variant_type`` as EFO
ids, ``min_length``, ``max_length``) and individual attributes (``sex``, ``population``,
``superpopulation``, each a comma-separated set). Filters on the same attribute are ANDed,
a negated alphanumeric filter allows every other value; a query whose filters exclude
everything needs no lookup at all (:func:`lookup_parameters` returns ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cnvbeacon.gateway.beacon.errors import bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterField
from cnvbeacon.gateway.beacon.populations import POPULATIONS, SUPERPOPULATIONS
from cnvbeacon.gateway.beacon.query import BeaconQuery, GenomicBracket, GenomicRange
from cnvbeacon.shared import vocabulary
from cnvbeacon.shared.reference import normalise_assembly

_FIELD_UNIVERSE: dict[FilterField, frozenset[str]] = {
    FilterField.SEX: frozenset({"female", "male", "unknown"}),
    FilterField.VARIANT_TYPE: frozenset(vocabulary.CNV_TERMS),
    FilterField.POPULATION: frozenset(p.code for p in POPULATIONS),
    FilterField.SUPERPOPULATION: frozenset(p.code for p in SUPERPOPULATIONS),
}
FIELD_PARAMETER: dict[FilterField, str] = {
    FilterField.SEX: "sex",
    FilterField.VARIANT_TYPE: "variant_type",
    FilterField.POPULATION: "population",
    FilterField.SUPERPOPULATION: "superpopulation",
}
REGION_PARAMETERS = frozenset(
    {"chrom", "start", "end", "start_max", "end_min", "match", "gene", "cytoband"}
)


@dataclass(frozen=True, slots=True)
class LookupParameters:
    """Query-service parameters of a lookup, without datasets and paging."""

    region: Mapping[str, str] = field(default_factory=dict)  # empty: genome-wide
    filters: Mapping[str, str] = field(default_factory=dict)
    assembly: str | None = None

    @property
    def has_region(self) -> bool:
        return bool(self.region)

    def with_filters(self, **extra: str) -> LookupParameters:
        return LookupParameters(self.region, {**self.filters, **extra}, self.assembly)

    def with_region(self, region: Mapping[str, str]) -> LookupParameters:
        return LookupParameters(region, self.filters, self.assembly)

    def params(self) -> dict[str, str]:
        params = {**self.region, **self.filters}
        if self.assembly is not None:
            params["assembly"] = self.assembly
        return params


def _allowed_values(query: BeaconQuery) -> dict[FilterField, frozenset[str]]:
    allowed: dict[FilterField, frozenset[str]] = {}
    for beacon_filter in query.filters:
        condition = beacon_filter.condition
        universe = _FIELD_UNIVERSE[condition.field]
        values = universe - condition.values if condition.negated else condition.values
        allowed[condition.field] = allowed.get(condition.field, universe) & values
    return allowed


def _check_closed_under_descendants(terms: frozenset[str]) -> None:
    """The query service matches a copy-number term with its descendants, always."""
    for term in sorted(terms):
        missing = vocabulary.descendants(term) - terms
        if missing:
            raise bad_request(
                f"{term} without its descendant terms ({', '.join(sorted(missing))}) is not "
                "supported: use includeDescendantTerms true, or name the more specific terms",
                term,
            )


def _region(query: BeaconQuery) -> dict[str, str]:
    variant = query.variant
    if variant is None:
        return {}
    if variant.gene_id is not None or variant.cytoband is not None:
        if variant.location is not None:
            raise bad_request(
                "give either geneId/cytoBand or referenceName with start and end, not both",
                "start",
            )
        if variant.gene_id is not None and variant.cytoband is not None:
            raise bad_request("give either geneId or cytoBand, not both", "cytoBand")
        if variant.gene_id is not None:
            return {"gene": variant.gene_id}
        assert variant.cytoband is not None
        return {"cytoband": variant.cytoband}
    if variant.reference_name is None:
        return {}
    region = {"chrom": variant.reference_name}
    location = variant.location
    if isinstance(location, GenomicRange):
        region |= {"start": str(location.start), "end": str(location.end)}
    elif isinstance(location, GenomicBracket):
        region |= {
            "match": "bracket",
            "start": str(location.start_min),
            "start_max": str(location.start_max),
            "end_min": str(location.end_min),
            "end": str(location.end_max),
        }
    return region


def query_assembly(query: BeaconQuery) -> str | None:
    """The canonical assembly the query names (``assemblyId``), if any; 400 if unknown."""
    if query.variant is None or query.variant.assembly_id is None:
        return None
    try:
        return normalise_assembly(query.variant.assembly_id)
    except ValueError as error:
        raise bad_request(str(error), "assemblyId") from None


def lookup_parameters(
    query: BeaconQuery, attributes: Mapping[FilterField, frozenset[str]] | None = None
) -> LookupParameters | None:
    """The lookup a query asks for, with ``attributes`` (e.g. a cohort's population) ANDed
    to its filters; ``None`` when the filters contradict each other, so nothing matches."""
    allowed = _allowed_values(query)
    for attribute, values in (attributes or {}).items():
        allowed[attribute] = allowed.get(attribute, _FIELD_UNIVERSE[attribute]) & values
    filters: dict[str, str] = {}
    variant = query.variant
    variant_types = set(variant.variant_type_ids) if variant is not None else set()
    if FilterField.VARIANT_TYPE in allowed:
        filtered = allowed.pop(FilterField.VARIANT_TYPE)
        variant_types = variant_types & filtered if variant_types else set(filtered)
        if not variant_types:
            return None
    if variant_types:
        _check_closed_under_descendants(frozenset(variant_types))
        filters["variant_type"] = ",".join(sorted(variant_types))
    if variant is not None and variant.variant_min_length is not None:
        filters["min_length"] = str(max(variant.variant_min_length, 1))
    if variant is not None and variant.variant_max_length is not None:
        filters["max_length"] = str(variant.variant_max_length)
    for attribute, values in allowed.items():
        if not values:
            return None
        filters[FIELD_PARAMETER[attribute]] = ",".join(sorted(values))
    return LookupParameters(_region(query), filters, query_assembly(query))
