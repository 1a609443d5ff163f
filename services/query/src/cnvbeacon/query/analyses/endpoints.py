"""HTTP handlers of /analyses/...: status, requests, and each result as JSON or TSV."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
from aiohttp import web

from cnvbeacon.query.analyses import http_params, records, source
from cnvbeacon.query.analyses.broker import BrokerUnavailableError
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import ANALYSED_CHROMOSOMES
from cnvbeacon.query.analyses.keys import BROKER, SERVICE
from cnvbeacon.query.analyses.outliers import default_min_samples, vst_outliers
from cnvbeacon.query.analyses.pipeline import BINS, CNVRS, EVENTS, GENES, SAMPLES
from cnvbeacon.query.analyses.records import GroupColumn
from cnvbeacon.query.analyses.regions import CLASSES
from cnvbeacon.query.analyses.result_store import RunReplacedError, StoredRun
from cnvbeacon.query.analyses.service import (
    AnalysisView,
    CachedBody,
    NotComputedError,
    UnknownDatasetError,
)
from cnvbeacon.query.analyses.tsv import tsv_response, tsv_text
from cnvbeacon.query.analyses.variants import DEFAULT

MAX_ROWS = 100_000


async def analysis_view(request: web.Request) -> AnalysisView:
    dataset_id = request.match_info["dataset"]
    variant = http_params.variant(request.query)
    try:
        return await request.app[SERVICE].view(dataset_id, variant)
    except UnknownDatasetError:
        raise web.HTTPNotFound(text=f"no dataset {dataset_id!r}") from None
    except NotComputedError as error:
        state = error.run.state if error.run is not None else "not requested"
        raise web.HTTPNotFound(
            text=f"no analysis of {dataset_id!r} yet (state: {state}); request one with "
            f"POST /analyses/{dataset_id}/run"
        ) from None


async def view_and_table(request: web.Request, name: str) -> tuple[AnalysisView, Table]:
    """The view and one of its tables; read again if a newer run replaced it meanwhile."""
    for attempt in range(3):
        view = await analysis_view(request)
        try:
            return view, await request.app[SERVICE].table(view, name)
        except RunReplacedError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def rendered(
    request: web.Request, view: AnalysisView, build: Callable[[], web.Response]
) -> web.Response:
    """An answer from the response cache, or built in a thread (a download may hold
    100,000 rows, a figure takes most of a second; the event loop serves lookups
    meanwhile) and kept."""
    cache = request.app[SERVICE].responses
    key = (str(view.run.run_id), view.dataset.data_version, request.path_qs)
    hit = cache.get(key)
    if hit is not None:
        return web.Response(body=hit.body, content_type=hit.content_type, headers=hit.headers)
    response = await asyncio.to_thread(build)
    if isinstance(response.body, bytes):
        headers = {k: v for k, v in response.headers.items() if k == "Content-Disposition"}
        cache.put(key, CachedBody(response.body, response.content_type, headers))
    return response


def envelope(view: AnalysisView, **payload: Any) -> dict[str, Any]:
    return {"analysis": view.describe(), **payload}


def chrom_code(request: web.Request) -> int | None:
    chrom = http_params.chromosome(request.query)
    return None if chrom is None else ANALYSED_CHROMOSOMES.index(chrom)


def selected_groups(request: web.Request, view: AnalysisView) -> list[GroupColumn]:
    try:
        return records.groups_of(view.meta, http_params.text_list(request.query, "group"))
    except KeyError as error:
        known = ", ".join(str(g["id"]) for g in view.meta["groups"])
        raise http_params.bad("group", f"unknown group {error}; known: {known}") from None


def file_name(view: AnalysisView, what: str, extension: str) -> str:
    subset = view.variant.subset.key().replace(";", "_").replace(",", "+").replace("=", "-")
    return f"{view.dataset.dataset_id}.{what}.{subset}.{extension}"


# --------------------------------------------------------------------------- status


async def list_analyses(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    found = []
    for dataset in await source.dataset_versions(service.db):
        runs = {r.variant_key: r for r in await service.runs(dataset.dataset_id)}
        found.append(_run_status(dataset.dataset_id, dataset.data_version, runs.get(DEFAULT.key)))
    return web.json_response({"datasets": found})


def _run_status(dataset_id: str, data_version: int, run: StoredRun | None) -> dict[str, Any]:
    if run is None:
        return {"dataset_id": dataset_id, "data_version": data_version, "state": "none"}
    return {
        "dataset_id": dataset_id,
        "data_version": data_version,
        "state": run.state,
        "error": run.error,
        "computed_from_version": run.data_version if run.has_result else None,
        "stale": (run.data_version < data_version) if run.has_result else None,
        "computed_at": run.computed_at.isoformat() if run.computed_at else None,
        "seconds": run.seconds,
    }


async def get_status(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    dataset_id = request.match_info["dataset"]
    try:
        dataset = await service.dataset(dataset_id)
    except UnknownDatasetError:
        raise web.HTTPNotFound(text=f"no dataset {dataset_id!r}") from None
    runs = await service.runs(dataset_id)
    default = next((r for r in runs if r.variant_key == DEFAULT.key), None)
    broker = request.app[BROKER]
    last = broker.worker.last_report if broker.worker is not None else None
    return web.json_response(
        {
            **_run_status(dataset_id, dataset.data_version, default),
            "variants": [
                {
                    "variant": r.variant_key,
                    "subset": r.document.get("subset"),
                    "parameters": r.document.get("parameters"),
                    "computed_from_version": r.data_version,
                    "stale": r.data_version < dataset.data_version,
                }
                for r in runs
                if r.variant_key != DEFAULT.key and r.has_result
            ],
            "broker": {"connected": broker.connected, "consuming": broker.consuming},
            "last_job": last.describe() if last is not None else None,
        }
    )


async def post_run(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    dataset_id = request.match_info["dataset"]
    try:
        await service.dataset(dataset_id)
    except UnknownDatasetError:
        raise web.HTTPNotFound(text=f"no dataset {dataset_id!r}") from None
    force = http_params.flag(request.query, "force")
    try:
        request_id = await request.app[BROKER].request(dataset_id, force=force)
    except BrokerUnavailableError as error:
        raise web.HTTPServiceUnavailable(text=str(error)) from None
    return web.json_response(
        {
            "request_id": request_id,
            "dataset_id": dataset_id,
            "force": force,
            "status": f"/analyses/{dataset_id}",
        },
        status=202,
    )


# --------------------------------------------------------------------------- results


async def get_summary(request: web.Request) -> web.StreamResponse:
    view = await analysis_view(request)
    out = http_params.output(request.query)
    summary = view.meta["summary"]
    if out.format == "tsv":
        pairs = list(_flatten("", summary))
        return tsv_response(
            tsv_text(["metric", "value"], pairs),
            file_name(view, "summary", "tsv"),
            download=out.download,
        )
    return web.json_response(envelope(view, groups=view.meta["groups"], summary=summary))


def _flatten(prefix: str, value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{prefix}{key}.", item)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for item in value:
            label = item.get("chrom", "")
            yield from _flatten(
                f"{prefix}{label}.", {k: v for k, v in item.items() if k != "chrom"}
            )
    else:
        yield [prefix.rstrip("."), value]


async def get_frequencies(request: web.Request) -> web.StreamResponse:
    unit = request.query.get("unit", "bins")
    if unit not in ("bins", "genes"):
        raise http_params.bad("unit", f"expected bins or genes, got {unit!r}")
    genes = unit == "genes"
    view, table = await view_and_table(request, GENES if genes else BINS)
    out = http_params.output(request.query)
    groups = selected_groups(request, view)
    mask = np.ones(len(table["start"]), dtype=bool)
    code = chrom_code(request)
    if code is not None:
        mask &= table["chrom"] == code
    symbols = {s.upper() for s in http_params.text_list(request.query, "gene")}
    if genes and symbols:
        mask &= np.array([s.upper() in symbols for s in table["symbol"].tolist()], dtype=bool)
    rows = np.flatnonzero(mask)
    total = len(rows)
    page = http_params.page(request.query, MAX_ROWS if out.format == "tsv" else 5000, MAX_ROWS)
    rows = rows[page.offset : page.offset + page.limit]

    def build() -> web.Response:
        found = records.frequency_records(table, view.meta, rows, groups, genes=genes)
        if out.format == "tsv":
            columns, tsv_rows = records.frequency_tsv(found, groups, genes=genes)
            return tsv_response(
                tsv_text(columns, tsv_rows),
                file_name(view, f"frequencies-{unit}", "tsv"),
                download=out.download,
            )
        return web.json_response(
            envelope(
                view,
                unit=unit,
                bin_size=view.variant.parameters.bin_size if not genes else None,
                groups=[{"id": g.id, "samples": g.samples} for g in groups],
                total=total,
                offset=page.offset,
                limit=page.limit,
                rows=found,
            )
        )

    return await rendered(request, view, build)


async def _regions(request: web.Request, name: str) -> web.StreamResponse:
    view, table = await view_and_table(request, name)
    out = http_params.output(request.query)
    query = request.query
    class_names = http_params.text_list(query, "class")
    unknown = [c for c in class_names if c not in CLASSES]
    if unknown:
        raise http_params.bad("class", f"unknown {unknown}; expected one of {', '.join(CLASSES)}")
    is_events = name == EVENTS
    cnvr = query.get("cnvr")
    rows = records.region_rows(
        table,
        chrom_code=chrom_code(request),
        classes=[CLASSES.index(c) for c in class_names],
        min_samples=http_params.integer(query, "min_samples", 0, 0),
        gene=query.get("gene") or None,
        region=http_params.integer(query, "cnvr", 0, 0) if is_events and cnvr else None,
    )
    order = query.get("sort", "position")
    if order == "samples":
        rows = rows[np.argsort(-table["samples"][rows], kind="stable")]
    elif order == "length":
        rows = rows[np.argsort(-(table["end"][rows] - table["start"][rows]), kind="stable")]
    elif order == "vst" and not is_events:
        rows = rows[
            np.argsort(-np.nan_to_num(table["vst_superpopulation"][rows], nan=-1), kind="stable")
        ]
    elif order != "position":
        raise http_params.bad("sort", "expected position, samples, length or vst")
    total = len(rows)
    page = http_params.page(query, MAX_ROWS if out.format == "tsv" else 100, MAX_ROWS)
    rows = rows[page.offset : page.offset + page.limit]
    fields = records.EVENT_FIELDS if is_events else records.REGION_FIELDS

    def build() -> web.Response:
        found = records.region_records(table, view.meta, rows, fields)
        if out.format == "tsv":
            return tsv_response(
                tsv_text(fields, ([r[f] for f in fields] for r in found)),
                file_name(view, name, "tsv"),
                download=out.download,
            )
        return web.json_response(
            envelope(view, total=total, offset=page.offset, limit=page.limit, rows=found)
        )

    return await rendered(request, view, build)


async def get_cnvrs(request: web.Request) -> web.StreamResponse:
    return await _regions(request, CNVRS)


async def get_events(request: web.Request) -> web.StreamResponse:
    return await _regions(request, EVENTS)


async def get_vst(request: web.Request) -> web.StreamResponse:
    view, table = await view_and_table(request, CNVRS)
    out = http_params.output(request.query)
    by = request.query.get("by", "superpopulation")
    if by not in ("superpopulation", "population"):
        raise http_params.bad("by", "expected superpopulation or population")
    samples = int(view.meta["summary"]["samples"])
    min_samples = http_params.integer(request.query, "min_samples", default_min_samples(samples), 1)
    outliers = vst_outliers(table, by, min_samples)
    page = http_params.page(request.query, 50, MAX_ROWS)
    rows = outliers.rows[page.offset : page.offset + page.limit]
    found = records.region_records(table, view.meta, rows, records.REGION_FIELDS)
    groups = records.groups_of(view.meta, [by])
    for rank, (record, frequencies) in enumerate(
        zip(found, records.carrier_frequencies(table, rows, groups), strict=True),
        start=page.offset + 1,
    ):
        record["rank"] = rank
        record["vst"] = record[f"vst_{by}"]
        record["fst"] = record[f"fst_{by}"]
        record["percentile"] = 100 * (1 - (rank - 1) / max(len(outliers.rows), 1))
        record["carrier_frequency"] = frequencies
    if out.format == "tsv":
        fields = [
            "rank",
            "id",
            "chrom",
            "start",
            "end",
            "vst",
            "fst",
            "samples",
            "frequency",
            "class",
            "genes",
        ]
        fields += [f"frequency_{g.id}" for g in groups]
        tsv_rows = [
            [r[f] for f in fields[:11]] + [r["carrier_frequency"][g.id] for g in groups]
            for r in found
        ]
        return tsv_response(
            tsv_text(fields, tsv_rows), file_name(view, f"vst-{by}", "tsv"), download=out.download
        )
    return web.json_response(
        envelope(
            view,
            by=by,
            min_samples=min_samples,
            tested=len(outliers.rows),
            distribution=outliers.distribution,
            offset=page.offset,
            limit=page.limit,
            outliers=found,
        )
    )


async def get_samples(request: web.Request) -> web.StreamResponse:
    view, table = await view_and_table(request, SAMPLES)
    out = http_params.output(request.query)
    wanted = set(http_params.text_list(request.query, "sample"))
    rows = np.arange(len(table["sample"]))
    if wanted:
        rows = np.flatnonzero([s in wanted for s in table["sample"].tolist()])
    total = len(rows)
    page = http_params.page(request.query, MAX_ROWS if out.format == "tsv" else 1000, MAX_ROWS)
    rows = rows[page.offset : page.offset + page.limit]

    def build() -> web.Response:
        found = records.sample_records(table, rows)
        if out.format == "tsv":
            fields = records.SAMPLE_FIELDS
            return tsv_response(
                tsv_text(fields, ([r[f] for f in fields] for r in found)),
                file_name(view, "samples", "tsv"),
                download=out.download,
            )
        return web.json_response(
            envelope(view, total=total, offset=page.offset, limit=page.limit, rows=found)
        )

    return await rendered(request, view, build)
