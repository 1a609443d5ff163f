"""Gateway: Beacon v2 GET /api/g_variants latency for the query section's windows.

Each window is asked at record granularity (the first page of 10 records and the total) and
at count granularity (the total only), as Beacon networks ask. The floor is the query
section's DuckDB floor of the same lookups (counts and the first page of distinct variants,
in-process); what the gateway asks the query service for one such request (GET /variants
with a page of 10 and the counts) is timed in the same loop. The gateway's numTotalResults
is checked against the query service's number of variants.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import aiohttp

from bench.context import BenchContext
from bench.figures import Better, Figure, Status
from bench.measure import latencies_ms, timed_ms
from bench.sections.query import VARIANTS_FLOOR, percentile_figures
from bench.windows import Window, random_windows

SECTION = "gateway"
PAGE = 10
GRANULARITIES = ("record", "count")
MIXED_CLIENTS = 16
POPULATIONS = ("GBR", "YRI", "CHB", "PEL", "GIH", "FIN", "LWK", "JPT")


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
        mixed = await _mixed_clients(session, gateway, windows)
    note = f"wrong totals: {wrong}" if not wrong else f"WRONG TOTALS: {wrong}"
    figures = percentile_figures(
        "query service /variants first page",
        floor_ms,
        VARIANTS_FLOOR,
        section=SECTION,
        notes={50: f"limit {PAGE}, with the total"},
    )
    for granularity, latencies in gateway_ms.items():
        figures += percentile_figures(
            f"Beacon GET /api/g_variants, {granularity}",
            latencies,
            VARIANTS_FLOOR,
            section=SECTION,
            notes={50: f"{note}; target <= 5x the DuckDB floor", 99: "target <= 50 ms"},
        )
    return figures + mixed


MixedRequest = tuple[str, dict[str, str]]


def _mixed_requests(windows: list[Window]) -> list[MixedRequest]:
    """One request per window, the kinds in turn."""
    requests: list[MixedRequest] = []
    for index, window in enumerate(windows):
        region = _beacon_params(window, "count")
        match index % 4:
            case 0:
                requests.append(("/api/g_variants", _beacon_params(window, "record")))
            case 1:
                requests.append(("/api/g_variants", region))
            case 2:
                population = POPULATIONS[index // 4 % len(POPULATIONS)]
                requests.append(
                    ("/api/individuals", {**region, "filters": f"population:{population}"})
                )
            case _:
                requests.append(
                    ("/api/biosamples", {**region, "filters": "sex=female", "limit": "10"})
                )
    return requests


def _fingerprint(status: int, body: dict[str, Any]) -> Any:
    """What must not differ between a request alone and under load."""
    return status, body.get("responseSummary"), body.get("response")


async def _mixed_clients(
    session: aiohttp.ClientSession, gateway: str, windows: list[Window]
) -> list[Figure]:
    requests = _mixed_requests(windows)

    async def ask(request: MixedRequest) -> Any:
        path, params = request
        return _fingerprint(*await _get_json(session, f"{gateway}{path}", params))

    alone = [await ask(request) for request in requests]
    answers: list[Any] = [None] * len(requests)

    async def recorded(index: int) -> None:
        answers[index] = await ask(requests[index])

    latencies, wall = await latencies_ms(list(range(len(requests))), MIXED_CLIENTS, recorded)
    errors = sum(answer[0] != 200 for answer in answers)
    differing = sum(a != b for a, b in zip(answers, alone, strict=True))
    note = (
        f"{len(requests)} requests (g_variants record/count, individuals by population, "
        f"biosamples by sex); errors {errors}, answers differing from alone {differing}"
    )
    if errors or differing:
        note = note.upper()
    name = f"{MIXED_CLIENTS} mixed Beacon clients"
    return [
        Figure(
            SECTION,
            f"{name}, requests/s",
            len(requests) / wall,
            "requests/s",
            better=Better.HIGHER,
            runs=len(requests),
            note=f"{note}; target >= 150 requests/s",
        ),
        *percentile_figures(
            name, latencies, None, section=SECTION, notes={99: "target p99 <= 1,000 ms"}
        ),
    ]


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
