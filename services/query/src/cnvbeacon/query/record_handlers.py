"""Handlers of single-record routes (a call, variant, biosample, individual, dataset by id)
and of the dataset list, as a Beacon gateway needs them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cnvbeacon.query import keys
from cnvbeacon.query.datasets import DatasetInfo
from cnvbeacon.query.filters import EFO_IDS_OF_VARIANT_TYPE, CallFilters
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.params import (
    CALL_PARAMETERS,
    PAGE_PARAMETERS,
    ParameterError,
    check_known,
    parse_dataset_id,
    parse_fields,
    parse_page,
    parse_record_id,
)
from cnvbeacon.query.read_model import ReadModel
from cnvbeacon.query.read_model_api import read_model
from cnvbeacon.query.variants import VariantKey
from cnvbeacon.query.views import call_view, json_ok, variant_view
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.reference.assemblies import normalise_assembly
from cnvbeacon.shared.reference.chromosomes import chromosomes, normalise_chromosome


def _not_found(what: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f"no {what}")


def _record_id(request: web.Request) -> str:
    return parse_record_id(request.match_info["id"])


async def get_call(request: web.Request) -> web.Response:
    check_known(request.query, ())
    call_id = _record_id(request)
    call = await read_model(request).call(call_id)
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
    model = read_model(request)
    datasets = model.datasets()
    dataset_ids = tuple(
        d
        for d in parse_dataset_id(request.query, datasets)
        if datasets[d].normalised_assembly == assembly
    )
    query = CallQuery(
        dataset_ids,
        (chrom,),
        Window(Match.EXACT, key.start, key.end),
        CallFilters(efo_ids=EFO_IDS_OF_VARIANT_TYPE[key.variant_type]),
    )
    _, found = await model.variants_page(query, 0, 1)
    if not found:
        raise _not_found(f"variant {text!r}")
    return json_ok({"variant": variant_view(found[0])})


async def get_biosample(request: web.Request) -> web.Response:
    """A biosample in each dataset that has it: registered, or with calls."""
    check_known(request.query, {"datasets"})
    biosample_id = _record_id(request)
    model = read_model(request)
    dataset_ids = parse_dataset_id(request.query, model.datasets())
    registry = await model.individuals_of_biosamples({(d, biosample_id) for d in dataset_ids})
    records: list[dict[str, Any]] = []
    for dataset_id in dataset_ids:
        registered = registry.get((dataset_id, biosample_id))
        loaded = await model.biosample(dataset_id, biosample_id)
        source = registered or loaded
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
                "has_calls": loaded is not None and loaded["calls"] > 0,
            }
        )
    if not records:
        raise _not_found(f"biosample {biosample_id!r}")
    return json_ok({"biosamples": records})


async def get_biosample_calls(request: web.Request) -> web.Response:
    """All calls of a biosample (in each dataset searched), in genome order, paged."""
    check_known(request.query, PAGE_PARAMETERS | CALL_PARAMETERS | {"datasets"})
    biosample_id = _record_id(request)
    fields = parse_fields(request.query)
    settings = request.app[keys.SETTINGS]
    skip, limit = parse_page(request.query, settings.default_page_size, settings.max_page_size)
    model = read_model(request)
    dataset_ids = parse_dataset_id(request.query, model.datasets())
    calls = await model.calls_of_biosample(dataset_ids, biosample_id, fields.stored)
    return json_ok(
        {
            "query": {"biosample_id": biosample_id, "skip": skip, "limit": limit},
            "counts": {"calls": len(calls)},
            "calls": [fields.view(c) for c in calls[skip : skip + limit]],
        }
    )


async def get_individual(request: web.Request) -> web.Response:
    check_known(request.query, {"datasets"})
    individual_id = _record_id(request)
    model = read_model(request)
    found = []
    for dataset_id in parse_dataset_id(request.query, model.datasets()):
        document = await model.individual(dataset_id, individual_id)
        if document is not None:
            found.append(document)
    if not found:
        raise _not_found(f"individual {individual_id!r}")
    return json_ok({"individuals": found})


async def _dataset_view(model: ReadModel, dataset: DatasetInfo) -> dict[str, Any]:
    try:
        genome = CallQuery((dataset.id,), tuple(chromosomes(dataset.assembly)))
    except ValueError:  # an assembly we do not know: none of its calls is searchable
        counts = None
    else:
        counts = (await model.counts(genome)).as_dict()
    return {
        "id": dataset.id,
        **dataset.document,
        "registered_individuals": await model.registered_count(dataset.id),
        "counts": counts,
    }


async def get_datasets(request: web.Request) -> web.Response:
    """Every dataset with its counts (as the read model holds it)."""
    check_known(request.query, ())
    model = read_model(request)
    views = [await _dataset_view(model, d) for d in model.datasets().values()]
    return json_ok({"datasets": views})


async def get_dataset(request: web.Request) -> web.Response:
    check_known(request.query, ())
    dataset_id = _record_id(request)
    model = read_model(request)
    dataset = model.datasets().get(dataset_id)
    if dataset is None:
        raise _not_found(f"dataset {dataset_id!r}")
    return json_ok({"dataset": await _dataset_view(model, dataset)})


async def get_populations(request: web.Request) -> web.Response:
    """The size of every group of each dataset: individuals with data (the denominators of
    every frequency, shared.frequencies) and registered, in all, by superpopulation and by
    population."""
    check_known(request.query, {"datasets"})
    model = read_model(request)
    found = []
    for dataset_id in parse_dataset_id(request.query, model.datasets()):
        sizes = await model.group_sizes(dataset_id)
        found.append({"dataset_id": dataset_id, "groups": [size.as_dict() for size in sizes]})
    return json_ok({"datasets": found})
