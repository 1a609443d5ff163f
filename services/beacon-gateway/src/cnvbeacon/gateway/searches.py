"""One dataset's answer to an entry-type query: its count and a page of records.

Each entry type has one search function, all with the same signature; they turn the query
(:mod:`lookup_params`) and the path's :class:`~cnvbeacon.gateway.scopes.Scope` into
query-service lookups and the answers into Beacon records:

* g_variants: distinct variants (``/variants``; genome-wide: ``/counts`` per chromosome
  to find the page; of a biosample without a region: its calls); one record per variant
  with every carrier biosample and the 1kGP frequencies (:mod:`beacon.variant_records`);
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
    variant_of_call,
)
from cnvbeacon.gateway.lookup_params import LookupParameters
from cnvbeacon.gateway.metadata import DatasetInfo, Metadata
from cnvbeacon.gateway.scopes import Scope
from cnvbeacon.gateway.upstream import ServiceClient
from cnvbeacon.shared import vocabulary
from cnvbeacon.shared.reference import chromosomes

CALLS_PAGE = 1000
# Call filters that can leave out some carriers of a variant (its frequencies then need
# all of them, read again by variant id).
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


def matches_filters(document: Mapping[str, Any], filters: Mapping[str, str]) -> bool:
    """Whether a call (or an individual, for its attributes) passes the lookup's filters,
    with the query service's semantics (for lookups it cannot do itself)."""
    terms = _split(filters.get("variant_type"))
    if terms is not None and "efo_id" in document and document["efo_id"] not in terms:
        return False
    length = document.get("length")
    if length is not None:
        if "min_length" in filters and length < int(filters["min_length"]):
            return False
        if "max_length" in filters and length > int(filters["max_length"]):
            return False
    for attribute in ("sex", "population", "superpopulation"):
        allowed = _split(filters.get(attribute))
        if allowed is not None and document.get(attribute) not in allowed:
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


async def _variant_records(
    backend: Backend,
    dataset: DatasetInfo,
    variants: Sequence[Mapping[str, Any]],
    complete: bool,
) -> list[JsonObject]:
    """Records of a page of variants; ``complete``: their carriers are all the carriers."""
    sizes = await backend.metadata.group_sizes(dataset.id)
    if not any(size.individuals for size in sizes):
        return [build_variant_record(v) for v in variants]
    if not complete:

        async def full(variant: Mapping[str, Any]) -> Mapping[str, Any]:
            body = await backend.query.get_json_or_none(
                _path("/variants", variant["id"]), {"datasets": dataset.id}
            )
            return variant if body is None else body["variant"]

        variants = await asyncio.gather(*(full(v) for v in variants))
    source = FrequencySource(
        name=f"cnvbeacon dataset {dataset.name}",
        url=f"{backend.public_api}/datasets/{quote(dataset.id, safe='')}",
        version=f"data version {dataset.data_version}",
    )
    return [build_variant_record(v, build_frequencies(v, sizes, source)) for v in variants]


async def _variant_lookup(
    backend: Backend, params: Mapping[str, str], dataset: DatasetInfo, page: Page | None
) -> tuple[int, list[Mapping[str, Any]]]:
    body = await backend.query.get_json(
        "/variants", {**params, "datasets": dataset.id, **_page_params(page)}
    )
    return int(body["counts"]["variants"]), list(body["variants"])


async def _genome_wide_variants(
    backend: Backend, lookup: LookupParameters, dataset: DatasetInfo, page: Page | None
) -> tuple[int, list[Mapping[str, Any]]]:
    """Variants of the whole genome: counted at once; the page read chromosome by chromosome
    (each answer counts its chromosome, so the walk knows where the page starts)."""
    params = {**lookup.params(), "datasets": dataset.id}

    async def total() -> int:
        body = await backend.query.get_json("/counts", params)
        return int(body["counts"]["variants"])

    async def walk() -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        before = 0
        for chrom in chromosomes(dataset.assembly):
            if page is None or len(found) >= page.limit:
                break
            first = max(page.offset - before, 0)
            region = lookup.with_region({"chrom": chrom})
            count, variants = await _variant_lookup(
                backend, region.params(), dataset, Page(first, page.limit - len(found))
            )
            found.extend(variants)
            before += count
        return found

    count, found = await asyncio.gather(total(), walk())
    return count, found


async def _biosample_variants(
    backend: Backend,
    lookup: LookupParameters,
    dataset: DatasetInfo,
    biosample_ids: Iterable[str],
    page: Page | None,
) -> tuple[int, list[Mapping[str, Any]]]:
    """Variants of biosamples without a region: their calls (a few thousand at most, read
    through the biosample index), filtered here, each a one-carrier variant."""
    calls: list[Mapping[str, Any]] = []
    for biosample_id in biosample_ids:
        skip = 0
        while True:
            body = await backend.query.get_json(
                _path("/biosamples", biosample_id, "/calls"),
                {"datasets": dataset.id, "skip": str(skip), "limit": str(CALLS_PAGE)},
            )
            calls.extend(c for c in body["calls"] if matches_filters(c, lookup.filters))
            skip += CALLS_PAGE
            if skip >= int(body["counts"]["calls"]):
                break
    return len(calls), [variant_of_call(c) for c in _sliced(calls, page)]


async def search_variants(
    backend: Backend, search: EntrySearch, dataset: DatasetInfo, page: Page | None
) -> Found:
    scope, lookup = search.scope, search.lookup
    assert lookup is not None
    if scope.variant_id is not None:
        body = await backend.query.get_json_or_none(
            _path("/variants", scope.variant_id), {"datasets": dataset.id}
        )
        if body is None:
            return 0, []
        return 1, await _variant_records(backend, dataset, [body["variant"]] if page else [], True)
    biosamples = None if scope.biosamples is None else scope.biosamples.get(dataset.id, ())
    complete = not _restricts_carriers(lookup.filters)
    if biosamples is not None and not lookup.has_region:
        count, variants = await _biosample_variants(backend, lookup, dataset, biosamples, page)
        complete = False
    elif lookup.has_region:
        if biosamples is not None:
            lookup = lookup.with_filters(biosample_id=",".join(biosamples))
            complete = False
        count, variants = await _variant_lookup(backend, lookup.params(), dataset, page)
    else:
        count, variants = await _genome_wide_variants(backend, lookup, dataset, page)
    return count, await _variant_records(backend, dataset, variants, complete)


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
    attributes = {k: v for k, v in filters.items() if k in ("sex", "population", "superpopulation")}
    return [
        view
        for body in bodies
        if body is not None
        for view in body[collection]
        if view["dataset_id"] == dataset.id and matches_filters(view, attributes)
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
