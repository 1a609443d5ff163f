"""One dataset's answer to an entry-type query: its count and a page of records.

Each entry type has one search function, all with the same signature; they turn the query
(:mod:`lookup_params`) and the path's :class:`~cnvbeacon.gateway.scopes.Scope` into
query-service lookups and the answers into Beacon records:

* g_variants: distinct variants (``/variants``, genome-wide without a region); one record
  per variant with every carrier biosample and the 1kGP frequencies
  (:mod:`beacon.variant_records`);
* individuals, biosamples: the registry, or the carriers of matching calls when the query
  has variant parameters or the path names a variant;
* runs, analyses: one each per biosample with calls (:mod:`beacon.sample_entries`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cnvbeacon.gateway.beacon.biosamples import build_biosample
from cnvbeacon.gateway.beacon.entry_types import (
    ANALYSIS,
    BIOSAMPLE,
    GENOMIC_VARIANT,
    INDIVIDUAL,
    RUN,
    EntryType,
)
from cnvbeacon.gateway.beacon.individuals import build_individual
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.sample_entries import build_analysis, build_run
from cnvbeacon.gateway.beacon.variant_records import (
    FrequencySource,
    build_frequencies,
    build_variant_record,
)
from cnvbeacon.gateway.lookup_params import LookupParameters
from cnvbeacon.gateway.metadata import DatasetInfo, Metadata
from cnvbeacon.gateway.scopes import Scope
from cnvbeacon.gateway.upstream import ServiceClient
from cnvbeacon.shared import vocabulary

# Call filters that can leave out some carriers of a variant (its frequencies then need
# all of them: the lookup asks for all carriers).
_CARRIER_FILTERS = ("sex", "population", "superpopulation", "biosample_id")
_DIRECTION_TERMS: dict[str, frozenset[str]] = {
    vocabulary.Direction.LOSS.value: vocabulary.descendants(vocabulary.LOSS.id),
    vocabulary.Direction.GAIN.value: vocabulary.descendants(vocabulary.GAIN.id),
    vocabulary.Direction.UNKNOWN.value: frozenset({vocabulary.CNV.id}),
}


@dataclass(frozen=True, slots=True)
class Page:
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class Backend:
    """The services a search reads from, and where our public endpoints are."""

    query: ServiceClient
    metadata: Metadata
    public_api: str  # e.g. https://cnvbeacon.org/api


@dataclass(frozen=True, slots=True)
class EntrySearch:
    """An entry-type query with its path scope; ``lookup`` None: nothing can match."""

    query: BeaconQuery
    scope: Scope
    lookup: LookupParameters | None


Found = tuple[int, list[JsonObject]]
SearchFunction = Callable[[Backend, EntrySearch, DatasetInfo, Page | None], Awaitable[Found]]


def _page_params(page: Page | None) -> dict[str, str]:
    return {"skip": str(page.offset if page else 0), "limit": str(page.limit if page else 0)}


def _path(prefix: str, entry_id: str, suffix: str = "") -> str:
    return f"{prefix}/{quote(entry_id, safe='')}{suffix}"


def _sliced(items: Sequence[Any], page: Page | None) -> list[Any]:
    return [] if page is None else list(items[page.offset : page.offset + page.limit])


def _split(text: str | None) -> frozenset[str] | None:
    return None if text is None else frozenset(text.split(","))


_ATTRIBUTES = ("sex", "population", "superpopulation")


def _has_attributes(view: Mapping[str, Any], filters: Mapping[str, str]) -> bool:
    """Whether an individual or biosample view has the attributes the filters allow."""
    for attribute in _ATTRIBUTES:
        allowed = _split(filters.get(attribute))
        if allowed is not None and view.get(attribute) not in allowed:
            return False
    return True


def _restricts_carriers(filters: Mapping[str, str]) -> bool:
    if any(name in filters for name in _CARRIER_FILTERS):
        return True
    terms = _split(filters.get("variant_type"))
    return terms is not None and any(
        terms & family and not family <= terms for family in _DIRECTION_TERMS.values()
    )


# --------------------------------------------------------------------------- g_variants


def _frequency_source(backend: Backend, dataset: DatasetInfo) -> FrequencySource:
    return FrequencySource(
        name=f"cnvbeacon dataset {dataset.name}",
        url=f"{backend.public_api}/datasets/{quote(dataset.id, safe='')}",
        version=f"data version {dataset.data_version}",
    )


async def search_variants(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    """Distinct variants, one query-service lookup (genome-wide without a region). When the
    filters leave out some carriers and the dataset has frequencies, the variants are read
    with all their carriers: a variant's frequencies are over its whole dataset."""
    scope, lookup = search.scope, search.lookup
    assert lookup is not None
    sizes = await backend.metadata.group_sizes(dataset.id)
    with_frequencies = any(size.individuals for size in sizes)
    params: dict[str, str] = {"datasets": dataset.id}
    if scope.variant_id is not None:
        body = await backend.query.get_json_or_none(_path("/variants", scope.variant_id), params)
        if body is None:
            return 0, []
        found: list[Mapping[str, Any]] = [body["variant"]] if page else []
        count = 1
    else:
        biosamples = None if scope.biosamples is None else scope.biosamples.get(dataset.id, ())
        if biosamples is not None:
            if not biosamples:
                return 0, []
            lookup = lookup.with_filters(biosample_id=",".join(biosamples))
        if with_frequencies and _restricts_carriers(lookup.filters):
            params["all_carriers"] = "true"
        body = await backend.query.get_json(
            "/variants", {**lookup.params(), **params, **_page_params(page)}
        )
        count, found = int(body["counts"]["variants"]), list(body["variants"])
    if not with_frequencies:
        return count, [build_variant_record(v) for v in found]
    source = _frequency_source(backend, dataset)
    return count, [build_variant_record(v, build_frequencies(v, sizes, source)) for v in found]


# --------------------------------------------------------------------------- samples


def _carrier_region(variant: Mapping[str, Any], filters: Mapping[str, str]) -> dict[str, str]:
    """Lookup parameters of the calls of one variant (with the query's filters)."""
    terms = _DIRECTION_TERMS[variant["variant_type"]]
    asked = _split(filters.get("variant_type"))
    if asked is not None:
        terms = terms & asked
    return {
        **filters,
        "chrom": str(variant["chrom"]),
        "start": str(variant["start"]),
        "end": str(variant["end"]),
        "match": "exact",
        "variant_type": ",".join(sorted(terms)),
        "assembly": str(variant["assembly"]),
    }


async def _by_ids(
    backend: Backend,
    collection: str,
    ids: Iterable[str],
    dataset: DatasetInfo,
    filters: Mapping[str, str],
) -> list[Mapping[str, Any]]:
    """Individuals or biosamples by id, in this dataset, passing the attribute filters."""
    bodies = await asyncio.gather(
        *(
            backend.query.get_json_or_none(_path(f"/{collection}", i), {"datasets": dataset.id})
            for i in ids
        )
    )
    return [
        view
        for body in bodies
        if body is not None
        for view in body[collection]
        if view["dataset_id"] == dataset.id and _has_attributes(view, filters)
    ]


async def _samples(
    backend: Backend,
    search: EntrySearch,
    dataset: DatasetInfo,
    page: Page | None,
    collection: str,
    with_calls: bool,
) -> tuple[int, list[Mapping[str, Any]]]:
    """Individuals or biosamples (``collection``) of the query in the scope;
    ``with_calls``: only biosamples with calls."""
    scope, lookup = search.scope, search.lookup
    assert lookup is not None
    named = scope.individuals if collection == "individuals" else scope.biosamples
    if named is not None:
        views = await _by_ids(
            backend, collection, named.get(dataset.id, ()), dataset, lookup.filters
        )
        if with_calls:
            views = [v for v in views if v.get("has_calls")]
        return len(views), _sliced(views, page)
    if scope.variant is not None:
        params = _carrier_region(scope.variant, lookup.filters)
        if not params["variant_type"]:
            return 0, []
    else:
        params = lookup.params()
        call_conditions = ("variant_type", "min_length", "max_length")
        if not lookup.has_region and not any(c in params for c in call_conditions):
            if with_calls:
                params["min_length"] = "1"  # every call: the carriers are the biosamples with calls
            else:
                params.pop("assembly", None)  # the registry: individuals have no assembly
    body = await backend.query.get_json(
        f"/{collection}", {**params, "datasets": dataset.id, **_page_params(page)}
    )
    return int(body["counts"][collection]), list(body[collection]) if page else []


async def search_individuals(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    count, views = await _samples(backend, search, dataset, page, "individuals", False)
    return count, [build_individual(v) for v in views]


async def search_biosamples(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    count, views = await _samples(backend, search, dataset, page, "biosamples", False)
    return count, [build_biosample(v) for v in views]


async def search_runs(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    count, views = await _samples(backend, search, dataset, page, "biosamples", True)
    return count, [build_run(v["id"], v["individual_id"], dataset.created_date) for v in views]


async def search_analyses(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    count, views = await _samples(backend, search, dataset, page, "biosamples", True)
    return count, [build_analysis(v["id"], v["individual_id"], dataset.created_date) for v in views]


SEARCHES: dict[EntryType, SearchFunction] = {
    GENOMIC_VARIANT: search_variants,
    INDIVIDUAL: search_individuals,
    BIOSAMPLE: search_biosamples,
    RUN: search_runs,
    ANALYSIS: search_analyses,
}
