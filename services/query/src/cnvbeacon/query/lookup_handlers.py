"""Handlers of the lookup routes: /calls, /variants, /variant_regions, /counts,
/biosamples, /individuals."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Mapping
from contextlib import aclosing
from dataclasses import replace
from enum import StrEnum
from typing import Any, Final

from aiohttp import web

from cnvbeacon.query import keys
from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.exports import (
    CONTENT_TYPES,
    EXTENSIONS,
    Bed,
    ExportContext,
    ExportSample,
    Format,
    JsonLines,
    Pgxseg,
    Tsv,
    Vcf,
    Writer,
)
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.params import (
    ATTRIBUTE_PARAMETERS,
    CALL_PARAMETERS,
    LOOKUP_PARAMETERS,
    PAGE_PARAMETERS,
    REGION_OPTIONS,
    SAMPLE_FILTER_PARAMETERS,
    VARIANT_PARAMETERS,
    LookupRequest,
    ParameterError,
    check_known,
    has_call_filters,
    parse_all_carriers,
    parse_attributes,
    parse_dataset_id,
    parse_fields,
    parse_lookups,
    parse_min_overlap,
    parse_page,
    parse_region_order,
)
from cnvbeacon.query.read_model import ReadModel, RegistryCounts
from cnvbeacon.query.read_model_api import read_model
from cnvbeacon.query.variant_region_files import REGION_FORMATS, REGION_WRITERS
from cnvbeacon.query.variant_regions import (
    DEFAULT_MIN_OVERLAP,
    RegionOrder,
    cluster,
    ordered_regions,
    region_views,
)
from cnvbeacon.query.variants import VariantGrouper
from cnvbeacon.query.views import biosample_view, json_ok, json_ok_with
from cnvbeacon.shared.frequencies import GroupLevel, group_sizes
from cnvbeacon.shared.store.client import Document

_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")
COUNTED_BY: Final = "read_model"
# Region views built per thread hand-off in an export (each costs its calls' frequencies).
REGION_EXPORT_BATCH: Final = 200


class Grouping(StrEnum):
    CALLS = "calls"
    VARIANTS = "variants"


async def _lookup(
    request: web.Request, allowed: Collection[str], *, region_required: bool
) -> tuple[ReadModel, LookupRequest]:
    params = dict(request.query)
    check_known(params, allowed)
    model = read_model(request)
    lookup = parse_lookups(
        params,
        datasets=model.datasets(),
        default_assembly=request.app[keys.SETTINGS].default_assembly,
        region_required=region_required,
    )
    return model, lookup


def _page(request: web.Request) -> tuple[int, int]:
    settings = request.app[keys.SETTINGS]
    return parse_page(request.query, settings.default_page_size, settings.max_page_size)


def _format(params: Mapping[str, str]) -> Format:
    text = params.get("format") or Format.JSON.value
    try:
        return Format(text)
    except ValueError:
        raise ParameterError("format", f"must be one of {[f.value for f in Format]}") from None


async def _calls_or_variants(request: web.Request, grouping: Grouping) -> web.StreamResponse:
    allowed = LOOKUP_PARAMETERS | PAGE_PARAMETERS | {"format"}
    allowed |= VARIANT_PARAMETERS if grouping is Grouping.VARIANTS else CALL_PARAMETERS
    model, lookup = await _lookup(request, allowed, region_required=False)
    output = _format(request.query)
    if output is not Format.JSON:
        for name in PAGE_PARAMETERS:
            if request.query.get(name):
                raise ParameterError(name, "exports stream the whole result; page with format=json")
        return await _export(request, model, lookup, grouping, output)
    skip, limit = _page(request)
    head = {"query": {**lookup.echo(), "skip": skip, "limit": limit}}
    if grouping is Grouping.VARIANTS:
        counts, encoded = await model.variants_page_json(
            lookup.query, skip, limit, all_carriers=parse_all_carriers(request.query)
        )
    else:
        fields = parse_fields(request.query)
        if not fields.all_stored:
            counts, calls = await model.calls_page(lookup.query, skip, limit, fields.stored)
            views = [fields.view(c) for c in calls]
            return json_ok(
                {**head, "counts": counts.as_dict(), "counted_by": COUNTED_BY, "calls": views}
            )
        counts, encoded = await model.calls_page_json(lookup.query, skip, limit, fields.stored)
    body = {**head, "counts": counts.as_dict(), "counted_by": COUNTED_BY}
    return json_ok_with(body, grouping.value, encoded)


async def get_calls(request: web.Request) -> web.StreamResponse:
    """Matching calls (one per sample call), paged, with counts; or an export. Without a
    region: the whole genome, chromosome by chromosome."""
    return await _calls_or_variants(request, Grouping.CALLS)


async def get_variants(request: web.Request) -> web.StreamResponse:
    """Distinct variants of the matching calls, with their carriers; or an export."""
    return await _calls_or_variants(request, Grouping.VARIANTS)


async def get_variant_regions(request: web.Request) -> web.StreamResponse:
    """The matching calls clustered into variant regions (variant_regions.py), each with
    its frequencies in every group of its dataset; paged, or a TSV, BED, VCF or JSON-lines
    file. A region's frequencies are of its whole dataset, so sample filters are refused."""
    for name in sorted(SAMPLE_FILTER_PARAMETERS):
        if request.query.get(name):
            raise ParameterError(
                name,
                "variant regions give the frequencies of every group of whole datasets; "
                "search calls (/calls) to filter samples",
            )
    allowed = LOOKUP_PARAMETERS | PAGE_PARAMETERS | REGION_OPTIONS | {"format"}
    model, lookup = await _lookup(request, allowed, region_required=True)
    min_overlap = parse_min_overlap(request.query, DEFAULT_MIN_OVERLAP)
    order = parse_region_order(request.query)
    output = _format(request.query)
    if output is not Format.JSON and output not in REGION_FORMATS:
        raise ParameterError("format", f"must be one of {['json', *REGION_FORMATS]}")
    # Clustered per dataset (regions never span datasets): a write to one dataset leaves
    # the others' clusters cached.
    parts = await asyncio.gather(
        *(
            model.grouped_calls(
                replace(lookup.query, dataset_ids=(dataset_id,)),
                ("variant_regions", min_overlap),
                lambda calls: cluster(calls, min_overlap),
            )
            for dataset_id in sorted(lookup.dataset_ids)
        )
    )
    sizes = {d: await model.group_sizes(d) for d in lookup.dataset_ids}
    if output is not Format.JSON:
        regions = ordered_regions(
            parts, RegionOrder.POSITION if output is not Format.JSONL else order
        )
        superpopulations = sorted(
            {
                g.code
                for groups in sizes.values()
                for g in groups
                if g.level is GroupLevel.SUPERPOPULATION and g.individuals
            }
        )
        writer = REGION_WRITERS[output](_export_context(model, lookup), superpopulations)
        response = _attachment(output, f"cnvbeacon-variant-regions-{lookup.label}")
        await response.prepare(request)
        await response.write(writer.header().encode())
        for first in range(0, len(regions), REGION_EXPORT_BATCH):
            batch = regions[first : first + REGION_EXPORT_BATCH]
            views = await asyncio.to_thread(region_views, batch, sizes, lookup.assembly)
            await response.write(writer.batch(views).encode())
        await response.write_eof()
        return response
    skip, limit = _page(request)
    regions = ordered_regions(parts, order)
    views = await asyncio.to_thread(
        region_views, regions[skip : skip + limit], sizes, lookup.assembly
    )
    return json_ok(
        {
            "query": {
                **lookup.echo(),
                "skip": skip,
                "limit": limit,
                "min_overlap": min_overlap,
                "order": order.value,
            },
            "counts": {
                "regions": len(regions),
                "calls": sum(len(part.calls) for part in parts),
            },
            "counted_by": COUNTED_BY,
            "regions": views,
        }
    )


async def get_counts(request: web.Request) -> web.Response:
    """Counts of calls, variants, biosamples and individuals; without a region, genome-wide."""
    model, lookup = await _lookup(request, LOOKUP_PARAMETERS, region_required=False)
    counts = await model.counts(lookup.query)
    return json_ok({"query": lookup.echo(), "counts": counts.as_dict(), "counted_by": COUNTED_BY})


async def get_carrier_groups(request: web.Request) -> web.Response:
    """How many individuals of each group (all, superpopulation, population) of each
    dataset carry a matching call: the numerators of the search page's frequencies, over
    the denominators of /populations (shared.frequencies)."""
    model, lookup = await _lookup(request, LOOKUP_PARAMETERS, region_required=False)
    of_dataset: dict[str, list[Document]] = {d: [] for d in lookup.query.dataset_ids}
    for row in await model.carrier_groups(lookup.query):
        of_dataset[row["dataset_id"]].append(row)
    found = [
        {
            "dataset_id": dataset_id,
            "groups": [
                {"level": size.level.value, "code": size.code, "carriers": size.individuals}
                for size in group_sizes(rows, [])
            ],
        }
        for dataset_id, rows in of_dataset.items()
    ]
    return json_ok({"query": lookup.echo(), "datasets": found, "counted_by": COUNTED_BY})


async def _carriers(request: web.Request) -> tuple[ReadModel, LookupRequest, list[Carrier]]:
    model, lookup = await _lookup(
        request, LOOKUP_PARAMETERS | PAGE_PARAMETERS, region_required=False
    )
    return model, lookup, await model.carriers(lookup.query)


async def _registered(model: ReadModel, carriers: list[Carrier]) -> dict[tuple[str, str], Document]:
    """(dataset, biosample) -> registered individual, for these carriers."""
    return await model.individuals_of_biosamples({(c.dataset_id, c.biosample_id) for c in carriers})


def _individual_keys(carriers: list[Carrier]) -> list[tuple[str, str]]:
    return sorted({(c.dataset_id, c.individual_id) for c in carriers})


def _registry_request(request: web.Request) -> tuple[ReadModel, list[str], CallFilters]:
    params = dict(request.query)
    check_known(params, ATTRIBUTE_PARAMETERS | PAGE_PARAMETERS | {"datasets"})
    model = read_model(request)
    return model, parse_dataset_id(params, model.datasets()), parse_attributes(params)


def _registry_body(
    dataset_ids: list[str], skip: int, limit: int, counts: RegistryCounts
) -> dict[str, Any]:
    return {
        "query": {"datasets": dataset_ids, "skip": skip, "limit": limit},
        "counts": {"individuals": counts.individuals, "biosamples": counts.biosamples},
        "counted_by": "registry",
    }


async def get_biosamples(request: web.Request) -> web.Response:
    """With a region or call filters: biosamples carrying a matching call. Otherwise the
    registered biosamples of the datasets, filtered by sex/population/superpopulation."""
    skip, limit = _page(request)
    if has_call_filters(request.query):
        model, lookup, carriers = await _carriers(request)
        page = carriers[skip : skip + limit]
        registered = await _registered(model, page)
        return json_ok(
            {
                "query": {**lookup.echo(), "skip": skip, "limit": limit},
                "counts": {
                    "biosamples": len(carriers),
                    "individuals": len(_individual_keys(carriers)),
                },
                "counted_by": COUNTED_BY,
                "biosamples": [
                    biosample_view(c, registered.get((c.dataset_id, c.biosample_id))) for c in page
                ],
            }
        )
    model, dataset_ids, filters = _registry_request(request)
    counts, records = await model.registered_biosamples(dataset_ids, filters, skip, limit)
    return json_ok({**_registry_body(dataset_ids, skip, limit, counts), "biosamples": records})


async def get_individuals(request: web.Request) -> web.Response:
    """With a region or call filters: individuals carrying a matching call. Otherwise the
    registered individuals of the datasets, filtered by sex/population/superpopulation."""
    skip, limit = _page(request)
    if has_call_filters(request.query):
        model, lookup, carriers = await _carriers(request)
        keys_ = _individual_keys(carriers)
        page_keys = keys_[skip : skip + limit]
        wanted = set(page_keys)
        page_carriers = [c for c in carriers if (c.dataset_id, c.individual_id) in wanted]
        registered = await _registered(model, page_carriers)
        views: dict[tuple[str, str], dict[str, Any]] = {}
        for carrier in page_carriers:
            key = (carrier.dataset_id, carrier.individual_id)
            document = registered.get((carrier.dataset_id, carrier.biosample_id))
            view = views.get(key)
            if view is None:
                view = views[key] = _carrier_individual(carrier, document)
            view["matching_calls"] += carrier.calls
        return json_ok(
            {
                "query": {**lookup.echo(), "skip": skip, "limit": limit},
                "counts": {"biosamples": len(carriers), "individuals": len(keys_)},
                "counted_by": COUNTED_BY,
                "individuals": [views[k] for k in page_keys],
            }
        )
    model, dataset_ids, filters = _registry_request(request)
    counts, records = await model.registered_individuals(dataset_ids, filters, skip, limit)
    return json_ok({**_registry_body(dataset_ids, skip, limit, counts), "individuals": records})


def _carrier_individual(carrier: Carrier, document: Document | None) -> dict[str, Any]:
    if document is not None:
        view = dict(document)
    else:
        view = {
            "id": f"{carrier.dataset_id}:{carrier.individual_id}",
            "dataset_id": carrier.dataset_id,
            "individual_id": carrier.individual_id,
            "sex": carrier.sex or "unknown",
            "population": carrier.population,
            "superpopulation": carrier.superpopulation,
            "biosample_ids": [carrier.biosample_id],
        }
    view["matching_calls"] = 0
    return view


def _export_context(model: ReadModel, lookup: LookupRequest) -> ExportContext:
    datasets = model.datasets()
    synthetic = tuple(
        d for d in lookup.dataset_ids if d in datasets and datasets[d].document.get("synthetic")
    )
    return ExportContext(lookup.assembly, lookup.dataset_ids, lookup.label, synthetic)


def _attachment(output: Format, name: str) -> web.StreamResponse:
    """A chunked file response named `name` (made a safe file name) and the format's
    extension."""
    slug = _SLUG.sub("_", name).strip("_")
    response = web.StreamResponse(
        headers={
            "Content-Type": f"{CONTENT_TYPES[output]}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{slug}.{EXTENSIONS[output]}"',
        }
    )
    response.enable_chunked_encoding()
    return response


async def _writer(
    model: ReadModel, lookup: LookupRequest, grouping: Grouping, output: Format
) -> Writer:
    """The export's writer, with what its format needs besides the calls."""
    context = _export_context(model, lookup)
    match output:
        case Format.JSONL:
            return JsonLines()
        case Format.TSV:
            return Tsv(context, variants=grouping is Grouping.VARIANTS)
        case Format.BED:
            return Bed(context, variants=grouping is Grouping.VARIANTS)
        case Format.PGXSEG:
            carriers = await model.carriers(lookup.query)
            registered = await _registered(model, carriers)
            samples = [
                ExportSample(
                    c.dataset_id,
                    c.biosample_id,
                    c.population,
                    (registered.get((c.dataset_id, c.biosample_id)) or {}).get("population_name"),
                )
                for c in carriers
            ]
            return Pgxseg(context, samples)
        case Format.VCF:
            groups = {d: await model.group_sizes(d) for d in lookup.dataset_ids}
            return Vcf(context, await model.carriers(lookup.query), groups)
    raise AssertionError(output)


async def _export(
    request: web.Request,
    model: ReadModel,
    lookup: LookupRequest,
    grouping: Grouping,
    output: Format,
) -> web.StreamResponse:
    writer = await _writer(model, lookup, grouping, output)
    response = _attachment(output, f"cnvbeacon-{grouping.value}-{lookup.label}")
    await response.prepare(request)
    await response.write(writer.header().encode())
    grouper = VariantGrouper() if grouping is Grouping.VARIANTS else None
    async with aclosing(model.stream(lookup.query)) as batches:
        async for batch in batches:
            text = writer.batch(batch if grouper is None else grouper.feed(batch))
            if text:
                await response.write(text.encode())
    if grouper is not None:
        await response.write(writer.batch(grouper.finish()).encode())
    await response.write(writer.finish().encode())
    await response.write_eof()
    return response
