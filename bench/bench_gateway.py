"""Beacon gateway latency: GET /api/g_variants range queries of 10 kb - 2 Mb, at count and at
record granularity, p50/p95/p99 (prints figures, asserts nothing). Target: p99 <= 150 ms for
range queries of <= 2 Mb on the local store at 2M calls.

* As a benchmark section (``run_section(context)``, see bench/context.py): against the
  running stack's gateway, on the query section's windows; each answer's numTotalResults is
  checked against the query service's own count of the same window.
* Standalone, against any gateway::

      .venv/bin/python bench/bench_gateway.py --gateway-url http://127.0.0.1:8080 \\
          [--query-url http://127.0.0.1:8081] [--queries 200] [--dataset 1kgp-dragen]

Queries run one at a time (latency, not throughput), after a warm-up of a few queries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.context import BenchContext
from bench.figures import Better, Figure, Status, render_table
from bench.measure import percentile, timed_ms
from bench.windows import Window, random_windows

SECTION = "gateway"
PERCENTILES = (50, 95, 99)
TARGET_P99_MS = 150.0
WARM_UP = 5
GRANULARITIES = ("count", "record")


def beacon_params(window: Window, granularity: str, dataset: str | None) -> dict[str, str]:
    params = {
        "referenceName": window.reference_name,
        "start": str(window.start),
        "end": str(window.end),
        "requestedGranularity": granularity,
    }
    if dataset is not None:
        params["datasetIds"] = dataset
    return params


async def _get(
    session: aiohttp.ClientSession, url: str, params: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with session.get(url, params=params) as response:
        text = await response.text()
    try:
        body = json.loads(text)
    except ValueError:
        body = {}
    return response.status, body if isinstance(body, dict) else {}


def floor_params(window: Window, granularity: str, dataset: str | None) -> dict[str, str]:
    """What the gateway asks the query service for one dataset: the distinct variants of the
    window, counted, with the first page of records at record granularity."""
    params = {
        "chrom": window.chrom,
        "start": str(window.start),
        "end": str(window.end),
        "limit": "10" if granularity == "record" else "0",
    }
    if dataset is not None:
        params["datasets"] = dataset
    return params


async def measure(
    gateway_url: str,
    windows: Sequence[Window],
    *,
    dataset: str | None = None,
    query_url: str | None = None,
) -> list[Figure]:
    """Latency figures of count and record queries over ``windows``."""
    url = f"{gateway_url.rstrip('/')}/api/g_variants"
    figures: list[Figure] = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for window in windows[:WARM_UP]:
            await _get(session, url, beacon_params(window, "count", dataset))
        for granularity in GRANULARITIES:
            latencies: list[float] = []
            floor_latencies: list[float] = []
            failures = wrong = records = 0
            for window in windows:
                params = beacon_params(window, granularity, dataset)
                if query_url is not None:
                    floor_ms, (_, floor) = await timed_ms(
                        partial(
                            _get,
                            session,
                            f"{query_url}/variants",
                            floor_params(window, granularity, dataset),
                        )
                    )
                    floor_latencies.append(floor_ms)
                elapsed, (status, body) = await timed_ms(partial(_get, session, url, params))
                latencies.append(elapsed)
                if status != 200:
                    failures += 1
                    continue
                total = body.get("responseSummary", {}).get("numTotalResults")
                for result_set in body.get("response", {}).get("resultSets", []):
                    records += len(result_set.get("results", []))
                if query_url is not None and dataset is not None:
                    wrong += total != floor.get("counts", {}).get("variants")
            checked = "checked" if query_url and dataset else "not checked: give a dataset"
            note = (
                f"{failures} failed, {wrong} wrong totals ({checked})"
                if granularity == "count"
                else f"{failures} failed, {records / max(len(windows), 1):.1f} records/answer"
            )
            for q in PERCENTILES:
                value = percentile(latencies, q)
                floor_key = None
                if floor_latencies:
                    floor_figure = Figure(
                        SECTION,
                        f"floor: query service /variants ({granularity}) p{q}",
                        percentile(floor_latencies, q),
                        "ms",
                        better=Better.LOWER,
                        runs=len(floor_latencies),
                        note="the same window, one dataset, timed in the same loop"
                        if q == 50
                        else "",
                    )
                    figures.append(floor_figure)
                    floor_key = floor_figure.key
                figures.append(
                    Figure(
                        SECTION,
                        f"Beacon g_variants {granularity} p{q}",
                        value,
                        "ms",
                        better=Better.LOWER,
                        floor=floor_key,
                        runs=len(latencies),
                        note=note
                        if q == 50
                        else (
                            f"target <= {TARGET_P99_MS:.0f} ms: "
                            + ("met" if value <= TARGET_P99_MS else "MISSED")
                            if q == 99
                            else ""
                        ),
                        details={"windows": "10 kb - 2 Mb", "granularity": granularity},
                    )
                )
    return figures


async def run_section(context: BenchContext) -> list[Figure]:
    gateway = context.service_url("gateway")
    if gateway is None:
        reason = context.facts.get("gateway_unavailable", "the gateway is not running")
        return [Figure.missing(SECTION, "g_variants", Status.UNAVAILABLE, reason)]
    windows: list[Window] = context.facts.get("windows") or random_windows(
        context.options.queries, context.options.seed + 1
    )
    return await measure(
        gateway,
        windows,
        dataset=context.dataset_id,
        query_url=context.service_url("query"),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway-url", required=True, help="e.g. http://127.0.0.1:8080")
    parser.add_argument("--query-url", default=None, help="check totals against this service")
    parser.add_argument("--dataset", default=None, help="datasetIds (default: every dataset)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    arguments = parser.parse_args(argv)
    windows = random_windows(arguments.queries, arguments.seed)
    figures = asyncio.run(
        measure(
            arguments.gateway_url,
            windows,
            dataset=arguments.dataset,
            query_url=arguments.query_url,
        )
    )
    print(render_table(figures))


if __name__ == "__main__":
    main()
