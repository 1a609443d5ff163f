"""Query: region lookups over the whole ingested cohort, against their floors.

Built in until bench/bench_query.py (the query engineer's) exposes run_section. Same random
windows (10 kb - 2 Mb) for every contender:

* tabix floor: the cohort's calls as one tabix-indexed sites VCF, pysam fetch + end check;
* raw store: the index shape the service uses, issued directly with pymongo (one range scan
  per length class, bounded by the stored length maxima; the end checked in Python);
* the query service: GET /calls, whole result, at concurrency 1 and 16.

Every answer is checked against tabix's; the notes count wrong answers.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pysam

from bench.context import BenchContext
from bench.figures import Better, Figure, Status
from bench.measure import latencies_ms, percentile
from bench.windows import Window, random_windows, tabix_ids, write_sites_index
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS

SECTION = "query"
PERCENTILES = (50, 95, 99)
SERVICE_PAGE_LIMIT = 100_000
WINDOW_SEED_OFFSET = 1


def percentile_figures(
    name: str,
    latencies: Sequence[float],
    floor_name: str | None,
    note: str = "",
) -> list[Figure]:
    return [
        Figure(
            SECTION,
            f"{name} p{q}",
            percentile(latencies, q),
            "ms",
            better=Better.LOWER,
            floor=f"{SECTION}/{floor_name} p{q}" if floor_name else None,
            runs=len(latencies),
            note=note if q == PERCENTILES[0] else "",
        )
        for q in PERCENTILES
    ]


async def raw_store_ids(db: Database, dataset_id: str, window: Window) -> set[str]:
    maxima = await length_classes.maxima_for(db, [dataset_id], window.chrom)
    found = set()
    for length_class, longest in sorted(maxima.get(dataset_id, {}).items()):
        query = {
            "dataset_id": dataset_id,
            "chrom": window.chrom,
            "length_class": length_class,
            "start": {"$gte": window.start - longest, "$lt": window.end},
        }
        async for call in db[CALLS].find(query, {"_id": 1, "end": 1}).batch_size(5000):
            if call["end"] > window.start:
                found.add(call["_id"])
    return found


async def service_ids(
    session: aiohttp.ClientSession, url: str, dataset_id: str, window: Window
) -> set[str]:
    params = {
        "datasets": dataset_id,
        "chrom": window.chrom,
        "start": str(window.start),
        "end": str(window.end),
        "limit": str(SERVICE_PAGE_LIMIT),
    }
    async with session.get(f"{url}/calls", params=params) as response:
        body: dict[str, Any] = await response.json(content_type=None)
        if response.status != 200:
            raise RuntimeError(f"query service: HTTP {response.status}: {body}")
    return {str(call["id"]) for call in body["calls"]}


async def wait_until_summarised(url: str, dataset_id: str, timeout_s: float = 3600) -> float:
    """Seconds until the query service reports the dataset's count summary as current."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - started < timeout_s:
            async with session.get(f"{url}/datasets/{dataset_id}") as response:
                if response.status == 200:
                    body = await response.json()
                    if body["dataset"]["summary"]["state"] == "current":
                        return time.perf_counter() - started
            await asyncio.sleep(1)
    raise TimeoutError(f"the count summary of {dataset_id} was not ready in {timeout_s:.0f} s")


async def _answers(
    windows: Sequence[Window], concurrency: int, lookup: Callable[[Window], Awaitable[set[str]]]
) -> tuple[list[float], list[set[str]], float]:
    answers: list[set[str]] = [set() for _ in windows]

    async def recorded(index: int) -> None:
        answers[index] = await lookup(windows[index])

    indices = list(range(len(windows)))
    latencies, wall = await latencies_ms(indices, concurrency, recorded)
    return latencies, answers, wall


async def run_section(context: BenchContext) -> list[Figure]:
    if not context.facts.get("cohort_loaded"):
        return [
            Figure.missing(
                SECTION, "lookups", Status.UNAVAILABLE, "the ingest section did not load the cohort"
            )
        ]
    url = context.service_url("query")
    assert url is not None, "the runner starts the query service"
    windows = random_windows(context.options.queries, context.options.seed + WINDOW_SEED_OFFSET)
    context.facts["windows"] = windows
    # Time lookups in the steady state: after an ingest the service rebuilds its count
    # summary in the background (one pass over the calls), which would compete for the store.
    summary_s = await wait_until_summarised(url, context.dataset_id)
    context.facts["summary_ready_s"] = summary_s
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        index = await asyncio.to_thread(
            write_sites_index, context.cohort.vcf_paths(), context.dataset_id, Path(scratch)
        )
        build_s = time.perf_counter() - started
        tabix = pysam.TabixFile(str(index))
        tabix_latencies = []
        expected = []
        for window in windows:
            started = time.perf_counter()
            expected.append(tabix_ids(tabix, window))
            tabix_latencies.append((time.perf_counter() - started) * 1000)
        tabix.close()
    sizes = sorted(len(ids) for ids in expected)
    figures = [
        Figure(
            SECTION,
            "count summary current, s after the ingest section",
            summary_s,
            "s",
            better=Better.LOWER,
            runs=1,
            note="lookups are timed after it (one background pass over the calls)",
        )
    ]
    figures += percentile_figures(
        "tabix floor: fetch + end check",
        tabix_latencies,
        None,
        f"{len(windows)} windows of 10 kb-2 Mb, median {sizes[len(sizes) // 2]} calls "
        f"(max {sizes[-1]}); sites index built in {build_s:.0f} s",
    )
    raw_latencies, raw_answers, _ = await _answers(
        windows, 1, lambda w: raw_store_ids(context.db, context.dataset_id, w)
    )
    figures += percentile_figures(
        "raw store: index range scans",
        raw_latencies,
        "tabix floor: fetch + end check",
        _wrong_note(raw_answers, expected),
    )
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        for concurrency in (1, 16):
            latencies, answers, wall = await _answers(
                windows,
                concurrency,
                lambda w: service_ids(session, url, context.dataset_id, w),
            )
            name = f"query service /calls, concurrency {concurrency}"
            figures += percentile_figures(
                name,
                latencies,
                "raw store: index range scans",
                f"{_wrong_note(answers, expected)}; {len(windows) / wall:,.1f} requests/s",
            )
    return figures


def _wrong_note(answers: Sequence[set[str]], expected: Sequence[set[str]]) -> str:
    wrong = sum(answer != truth for answer, truth in zip(answers, expected, strict=True))
    return f"wrong answers: {wrong}" if not wrong else f"WRONG ANSWERS: {wrong}"
