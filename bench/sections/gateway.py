"""Gateway: Beacon v2 GET /api/g_variants latency for the query section's windows.

Each window is asked at record granularity (the first page of 10 records and the total) and
at count granularity (the total only), as Beacon networks ask. The floor
is what the gateway asks the query service for one such request: GET /variants (distinct
variants with their carriers) with a page of 10 and the counts, timed in the same loop. The
gateway's numTotalResults is checked against the query service's number of variants.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import aiohttp

from bench.context import BenchContext
from bench.figures import Better, Figure, Status
from bench.measure import percentile, timed_ms
from bench.windows import Window, random_windows

SECTION = "gateway"
PAGE = 10
PERCENTILES = (50, 95, 99)
GRANULARITIES = ("record", "count")


async def _get_json(
    session: aiohttp.ClientSession, url: str, params: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with session.get(url, params=params) as response:
        return response.status, await response.json(content_type=None)


def _service_total(body: dict[str, Any]) -> int | None:
    """The query service's number of matching distinct variants (``counts.variants``)."""
    counts = body.get("counts") or {}
    total = counts.get("variants") if isinstance(counts, dict) else None
    return int(total) if total is not None else None


def _gateway_total(body: dict[str, Any]) -> int | None:
    summary = body.get("responseSummary") or {}
    total = summary.get("numTotalResults")
    return int(total) if total is not None else None


async def run_section(context: BenchContext) -> list[Figure]:
    gateway = context.service_url("gateway")
    query = context.service_url("query")
    if gateway is None or query is None:
        reason = context.facts.get("gateway_unavailable", "the gateway is not running")
        return [Figure.missing(SECTION, "g_variants", Status.UNAVAILABLE, reason)]
    windows: list[Window] = context.facts.get("windows") or random_windows(
        context.options.queries, context.options.seed + 1
    )
    gateway_ms: dict[str, list[float]] = {granularity: [] for granularity in GRANULARITIES}
    floor_ms: list[float] = []
    wrong = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        probe_status, probe = await _get_json(
            session, f"{gateway}/api/g_variants", _beacon_params(windows[0], "record")
        )
        if probe_status != 200 or _gateway_total(probe) is None:
            error = str(probe.get("error") or probe)[:160]
            note = f"GET /api/g_variants answered HTTP {probe_status}: {error}"
            return [Figure.missing(SECTION, "g_variants", Status.UNAVAILABLE, note)]
        for window in windows:
            floor_time, (_, floor_body) = await timed_ms(
                partial(_get_json, session, f"{query}/variants", _query_params(context, window))
            )
            floor_ms.append(floor_time)
            for granularity, latencies in gateway_ms.items():
                gateway_time, (status, body) = await timed_ms(
                    partial(
                        _get_json,
                        session,
                        f"{gateway}/api/g_variants",
                        _beacon_params(window, granularity),
                    )
                )
                latencies.append(gateway_time)
                wrong += status != 200 or _gateway_total(body) != _service_total(floor_body)
    note = f"wrong totals: {wrong}" if not wrong else f"WRONG TOTALS: {wrong}"
    figures = []
    for q in PERCENTILES:
        floor = Figure(
            SECTION,
            f"floor: query service /variants first page p{q}",
            percentile(floor_ms, q),
            "ms",
            better=Better.LOWER,
            runs=len(floor_ms),
            note=f"limit {PAGE}, with the total" if q == 50 else "",
        )
        figures.append(floor)
        figures += [
            Figure(
                SECTION,
                f"Beacon GET /api/g_variants, {granularity} p{q}",
                percentile(latencies, q),
                "ms",
                better=Better.LOWER,
                floor=floor.key,
                runs=len(latencies),
                note=f"{note}; target p99 <= 150 ms" if q == 50 else "",
            )
            for granularity, latencies in gateway_ms.items()
        ]
    return figures


def _beacon_params(window: Window, granularity: str) -> dict[str, str]:
    return {
        "referenceName": window.reference_name,
        "start": str(window.start),
        "end": str(window.end),
        "requestedGranularity": granularity,  # the default is boolean: no total
    }


def _query_params(context: BenchContext, window: Window) -> dict[str, str]:
    return {
        "datasets": context.dataset_id,
        "chrom": window.chrom,
        "start": str(window.start),
        "end": str(window.end),
        "limit": str(PAGE),
    }
