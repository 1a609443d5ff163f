"""Handlers of single-record routes (a call, variant, biosample, individual, dataset by id)
and of the dataset list, as a Beacon gateway needs them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cnvbeacon.query import keys
from cnvbeacon.query.calls import CallLookup, call_by_id, calls_of_biosample
from cnvbeacon.query.counts import summary_counts
from cnvbeacon.query.datasets import DatasetInfo, read_datasets
from cnvbeacon.query.filters import EFO_IDS_OF_VARIANT_TYPE, CallFilters
from cnvbeacon.query.params import (
    PAGE_PARAMETERS,
    ParameterError,
    check_known,
    parse_dataset_id,
    parse_page,
    parse_record_id,
)
from cnvbeacon.query.samples import (
    individual,
    individual_view,
    individuals_of_biosamples,
    registry,
)
from cnvbeacon.query.search import Grouping, items
from cnvbeacon.query.variants import Variant, VariantKey
from cnvbeacon.query.views import call_view, json_ok, variant_view
from cnvbeacon.query.windows import Match, Window, whole_chromosome
from cnvbeacon.shared.reference.assemblies import normalise_assembly
from cnvbeacon.shared.reference.chromosomes import (
    chromosome_length,
    chromosomes,
    normalise_chromosome,
)
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS
from cnvbeacon.shared.web import DATABASE


def _not_found(what: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f"no {what}")


def _record_id(request: web.Request) -> str:
    return parse_record_id(request.match_info["id"])


async def get_call(request: web.Request) -> web.Response:
    check_known(request.query, ())
    call_id = _record_id(request)
    call = await call_by_id(request.app[DATABASE], call_id)
    if call is None:
        raise _not_found(f"call {call_id!r}")
    return json_ok({"call": call_view(call)})


async def get_variant(request: web.Request) -> web.Response:
    """A distinct variant by id: an exact-breakpoint lookup restricted to its type."""
    check_known(request.query, {"datasets"})
    text = _record_id(request)
    try:
        key = VariantKey.parse(text)
        assembly = normalise_assembly(key.assembly)
        chrom = normalise_chromosome(key.chrom, assembly)
    except ValueError as error:
        raise ParameterError("id", str(error)) from None
    datasets = await read_datasets(request.app[DATABASE])
    dataset_ids = tuple(
        d
        for d in parse_dataset_id(request.query, datasets)
        if _assembly_of(datasets[d]) == assembly
    )
    lookup = CallLookup(
        dataset_ids,
        chrom,
        Window(Match.EXACT, key.start, key.end),
        CallFilters(efo_ids=EFO_IDS_OF_VARIANT_TYPE[key.variant_type]),
    )
    found: list[Variant] = []
    async for batch in items(request.app[DATABASE], (lookup,), Grouping.VARIANTS):
        found.extend(v for v in batch if isinstance(v, Variant))
    if not found:
        raise _not_found(f"variant {text!r}")
    return json_ok({"variant": variant_view(found[0])})


def _assembly_of(dataset: DatasetInfo) -> str:
    try:
        return normalise_assembly(dataset.assembly)
    except ValueError:
        return dataset.assembly


async def get_biosample(request: web.Request) -> web.Response:
    """A biosample in each dataset that has it: registered, or with stored calls."""
    check_known(request.query, {"datasets"})
    biosample_id = _record_id(request)
    db = request.app[DATABASE]
    datasets = await read_datasets(db)
    records: list[dict[str, Any]] = []
    for dataset_id in parse_dataset_id(request.query, datasets):
        registered = (await individuals_of_biosamples(db, dataset_id, [biosample_id])).get(
            biosample_id
        )
        call = await db[CALLS].find_one(
            {"dataset_id": dataset_id, "biosample_id": biosample_id},
            {"individual_id": 1, "sex": 1, "population": 1, "superpopulation": 1},
        )
        source = registered or call
        if source is None:
            continue
        records.append(
            {
                "id": biosample_id,
                "dataset_id": dataset_id,
                "individual_id": source.get("individual_id"),
                "sex": source.get("sex"),
                "population": source.get("population"),
                "superpopulation": source.get("superpopulation"),
                "registered": registered is not None,
                "has_calls": call is not None,
            }
        )
    if not records:
        raise _not_found(f"biosample {biosample_id!r}")
    return json_ok({"biosamples": records})


async def get_biosample_calls(request: web.Request) -> web.Response:
    """All calls of a biosample (in each dataset searched), in genome order, paged."""
    check_known(request.query, PAGE_PARAMETERS | {"datasets"})
    biosample_id = _record_id(request)
    settings = request.app[keys.SETTINGS]
    skip, limit = parse_page(request.query, settings.default_page_size, settings.max_page_size)
    db = request.app[DATABASE]
    datasets = await read_datasets(db)
    calls = []
    for dataset_id in parse_dataset_id(request.query, datasets):
        calls.extend(await calls_of_biosample(db, dataset_id, biosample_id))
    return json_ok(
        {
            "query": {"biosample_id": biosample_id, "skip": skip, "limit": limit},
            "counts": {"calls": len(calls)},
            "calls": [call_view(c) for c in calls[skip : skip + limit]],
        }
    )


async def get_individual(request: web.Request) -> web.Response:
    check_known(request.query, {"datasets"})
    individual_id = _record_id(request)
    db = request.app[DATABASE]
    datasets = await read_datasets(db)
    found = []
    for dataset_id in parse_dataset_id(request.query, datasets):
        document = await individual(db, dataset_id, individual_id)
        if document is not None:
            found.append(individual_view(document))
    if not found:
        raise _not_found(f"individual {individual_id!r}")
    return json_ok({"individuals": found})


async def _dataset_view(request: web.Request, db: Database, dataset: DatasetInfo) -> dict[str, Any]:
    summaries = request.app[keys.SUMMARIES]
    state = summaries.state(dataset)
    current = await summaries.current({dataset.id: dataset})
    counts: dict[str, int] | None = None
    summary: dict[str, Any] = {"state": state.value}
    if current is not None:
        summary = {"state": "current", "read_from": current[dataset.id].read_from}
        assembly = _assembly_of(dataset)  # a summary exists only for a known assembly
        lookups = [
            CallLookup((dataset.id,), c, whole_chromosome(chromosome_length(c, assembly)))
            for c in chromosomes(assembly)
        ]
        counts = summary_counts(current, lookups).as_dict()
    individuals = await registry(db, [dataset.id])
    view = {k: v for k, v in dataset.document.items() if k != "_id"}
    return {
        "id": dataset.id,
        **view,
        "registered_individuals": len(individuals),
        "summary": summary,
        "counts": counts,
    }


async def get_datasets(request: web.Request) -> web.Response:
    """Every dataset with its counts (null while its count summary is not current: then
    /counts?datasets=<id> counts by scanning)."""
    check_known(request.query, ())
    db = request.app[DATABASE]
    datasets = await read_datasets(db)
    return json_ok({"datasets": [await _dataset_view(request, db, d) for d in datasets.values()]})


async def get_dataset(request: web.Request) -> web.Response:
    check_known(request.query, ())
    dataset_id = _record_id(request)
    db = request.app[DATABASE]
    dataset = (await read_datasets(db)).get(dataset_id)
    if dataset is None:
        raise _not_found(f"dataset {dataset_id!r}")
    return json_ok({"dataset": await _dataset_view(request, db, dataset)})
