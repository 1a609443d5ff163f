"""Query: region lookups over the whole ingested cohort, against their floors.

Same random windows (10 kb - 2 Mb) for every contender:

* tabix floor: the cohort's calls as one tabix-indexed sites VCF, pysam fetch + end check;
* DuckDB floor: a read model in this process (its own file, loaded from the same store),
  the service's own SQL for the same lookup run in-process, no HTTP;
* the query service: GET /calls, whole result, at concurrency 1 and 16;
* DuckDB floor of the Beacon g_variants lookups (the gateway section compares with it):
  counts and the first VARIANTS_PAGE distinct variants, the SQL the gateway's upstream
  GET /variants runs, in-process.

Also: how long after the ingest the service's read model held the cohort (visibility),
whole-genome counts (first, uncached, and again), a whole-dataset BED export (calls/s) and
the read model's bytes per call. Every answer is checked against tabix's; the notes count
wrong answers.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pysam

from bench.context import BenchContext
from bench.figures import Better, Figure, Status
from bench.measure import latencies_ms, percentile
from bench.windows import Window, random_windows, tabix_ids, write_sites_index
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.read_model import ReadModel, reads
from cnvbeacon.query.windows import Match
from cnvbeacon.query.windows import Window as CallWindow
from cnvbeacon.shared.reference.chromosomes import chromosomes
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import DATASETS

SECTION = "query"
PERCENTILES = (50, 95, 99)
SERVICE_PAGE_LIMIT = 100_000
VARIANTS_PAGE = 10  # the gateway's first Beacon page
VARIANTS_FLOOR = "DuckDB floor: counts + first variants page in-process"
WINDOW_SEED_OFFSET = 1


def percentile_figures(
    name: str,
    latencies: Sequence[float],
    floor_name: str | None,
    note: str = "",
    *,
    section: str = SECTION,
    notes: Mapping[int, str] | None = None,
) -> list[Figure]:
    """A latency figure per percentile, each against the same percentile of a floor of
    this (the query) section; `note` on the first, or `notes` by percentile."""
    by_percentile = {PERCENTILES[0]: note} if notes is None else notes
    return [
        Figure(
            section,
            f"{name} p{q}",
            percentile(latencies, q),
            "ms",
            better=Better.LOWER,
            floor=f"{SECTION}/{floor_name} p{q}" if floor_name else None,
            runs=len(latencies),
            note=by_percentile.get(q, ""),
        )
        for q in PERCENTILES
    ]


def window_query(dataset_id: str, window: Window) -> CallQuery:
    return CallQuery(
        (dataset_id,), (window.chrom,), CallWindow(Match.OVERLAP, window.start, window.end)
    )


async def duckdb_ids(model: ReadModel, dataset_id: str, window: Window) -> set[str]:
    """The service's SQL for the same page, in this process (counts and the page)."""
    query = window_query(dataset_id, window)

    def page(con: Any) -> list[dict[str, Any]]:
        reads.counts(con, query)
        return reads.calls_page(con, query, 0, SERVICE_PAGE_LIMIT, ("_id",))

    return {str(call["_id"]) for call in await model.database.read(page)}


async def duckdb_variants(model: ReadModel, dataset_id: str, window: Window) -> set[str]:
    """The SQL of the gateway's upstream GET /variants page, in this process."""
    query = window_query(dataset_id, window)

    def page(con: Any) -> list[Any]:
        reads.counts(con, query)
        return reads.variants_page(con, query, 0, VARIANTS_PAGE)

    return {variant.key.id for variant in await model.database.read(page)}


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


async def wait_until_visible(
    url: str, db: Database, dataset_id: str, timeout_s: float = 3600
) -> float:
    """Seconds until the query service's read model holds the dataset's current version."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - started < timeout_s:
            stored = await db[DATASETS].find_one({"_id": dataset_id}, {"data_version": 1})
            async with session.get(f"{url}/read-model") as response:
                if response.status == 200 and stored is not None:
                    held = (await response.json())["datasets"].get(dataset_id)
                    if held == stored.get("data_version"):
                        return time.perf_counter() - started
            await asyncio.sleep(0.2)
    raise TimeoutError(f"the read model did not hold {dataset_id} in {timeout_s:.0f} s")


async def _answers(
    windows: Sequence[Window], concurrency: int, lookup: Callable[[Window], Awaitable[set[str]]]
) -> tuple[list[float], list[set[str]], float]:
    answers: list[set[str]] = [set() for _ in windows]

    async def recorded(index: int) -> None:
        answers[index] = await lookup(windows[index])

    indices = list(range(len(windows)))
    latencies, wall = await latencies_ms(indices, concurrency, recorded)
    return latencies, answers, wall


async def _timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return (time.perf_counter() - started) * 1000, result


async def _service_counts(session: aiohttp.ClientSession, url: str, dataset_id: str) -> Any:
    async with session.get(f"{url}/counts", params={"datasets": dataset_id}) as response:
        body = await response.json()
        if response.status != 200:
            raise RuntimeError(f"query service: HTTP {response.status}: {body}")
        return body["counts"]


async def _bed_export(session: aiohttp.ClientSession, url: str, dataset_id: str) -> int:
    """Lines of a whole-dataset BED export, read to its end."""
    params = {"datasets": dataset_id, "format": "bed"}
    lines = 0
    async with session.get(f"{url}/calls", params=params) as response:
        if response.status != 200:
            raise RuntimeError(f"query service: HTTP {response.status}")
        async for chunk in response.content.iter_chunked(1 << 16):
            lines += chunk.count(b"\n")
    return lines


async def _whole_genome_figures(
    session: aiohttp.ClientSession, url: str, model: ReadModel, dataset_id: str
) -> list[Figure]:
    genome = CallQuery((dataset_id,), tuple(chromosomes("GRCh38")))
    floor_ms = []
    for _ in range(5):  # reads.counts directly: never the service's cache
        ms, floor_counts = await _timed(
            lambda: model.database.read(lambda c: reads.counts(c, genome))
        )
        floor_ms.append(ms)
    first_ms, counts = await _timed(lambda: _service_counts(session, url, dataset_id))
    again = [
        (await _timed(lambda: _service_counts(session, url, dataset_id)))[0] for _ in range(10)
    ]
    same = counts == floor_counts.as_dict()
    note = f"{counts['calls']:,} calls" + ("" if same else f"; WRONG: floor {floor_counts}")
    floor_name = f"{SECTION}/DuckDB floor: whole-genome counts p50"
    return [
        *percentile_figures("DuckDB floor: whole-genome counts", floor_ms, None, note),
        Figure(
            SECTION,
            "whole-genome counts, first request",
            first_ms,
            "ms",
            better=Better.LOWER,
            floor=floor_name,
            runs=1,
            note="uncached: nothing written since",
        ),
        *percentile_figures(
            "whole-genome counts, repeated",
            again,
            "DuckDB floor: whole-genome counts",
            "answered from the read model's counts cache",
        ),
    ]


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
    visible_s = await wait_until_visible(url, context.db, context.dataset_id)
    context.facts["read_model_visible_s"] = visible_s
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
        model = ReadModel(context.db, Path(scratch) / "floor", source="bench floor", poll_s=3600)
        started = time.perf_counter()
        await model.open()
        await model.catch_up()
        load_s = time.perf_counter() - started
        try:
            figures = await _lookups(context, url, model, windows, expected, tabix_latencies)
        finally:
            await model.close()
    sizes = sorted(len(ids) for ids in expected)
    return [
        Figure(
            SECTION,
            "read model holds the cohort, s after the ingest section",
            visible_s,
            "s",
            better=Better.LOWER,
            runs=1,
            note="from the end of the ingest section until GET /read-model shows its version",
        ),
        Figure(
            SECTION,
            "read model full load from the store (bench process)",
            load_s,
            "s",
            better=Better.LOWER,
            runs=1,
            note=f"the DuckDB floor's own copy; sites index for tabix built in {build_s:.0f} s; "
            f"{len(windows)} windows of 10 kb-2 Mb, median {sizes[len(sizes) // 2]} calls "
            f"(max {sizes[-1]})",
        ),
        *figures,
    ]


async def _lookups(
    context: BenchContext,
    url: str,
    model: ReadModel,
    windows: Sequence[Window],
    expected: Sequence[set[str]],
    tabix_latencies: Sequence[float],
) -> list[Figure]:
    figures = percentile_figures("tabix floor: fetch + end check", tabix_latencies, None)
    floor = "DuckDB floor: counts + page in-process"
    floor_latencies, floor_answers, _ = await _answers(
        windows, 1, lambda w: duckdb_ids(model, context.dataset_id, w)
    )
    figures += percentile_figures(
        floor,
        floor_latencies,
        "tabix floor: fetch + end check",
        _wrong_note(floor_answers, expected),
    )
    variants_latencies, _, _ = await _answers(
        windows, 1, lambda w: duckdb_variants(model, context.dataset_id, w)
    )
    figures += percentile_figures(
        VARIANTS_FLOOR, variants_latencies, None, f"limit {VARIANTS_PAGE}, with the counts"
    )
    timeout = aiohttp.ClientTimeout(total=3600)
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
                floor,
                f"{_wrong_note(answers, expected)}; {len(windows) / wall:,.1f} requests/s",
            )
        figures += await _whole_genome_figures(session, url, model, context.dataset_id)
        export_ms, lines = await _timed(lambda: _bed_export(session, url, context.dataset_id))
        figures.append(
            Figure(
                SECTION,
                "whole-dataset BED export",
                lines / (export_ms / 1000) if export_ms else None,
                "calls/s",
                better=Better.HIGHER,
                runs=1,
                note=f"{lines:,} calls in {export_ms / 1000:,.1f} s",
            )
        )
        async with session.get(f"{url}/read-model") as response:
            status = await response.json()
        if status["calls"]:
            figures.append(
                Figure(
                    SECTION,
                    "read model bytes per call on disk",
                    status["file_bytes"] / status["calls"],
                    "bytes",
                    better=Better.LOWER,
                    runs=1,
                    note=f"{status['file_bytes'] / 2**20:,.0f} MiB for {status['calls']:,} calls",
                )
            )
    return figures


def _wrong_note(answers: Sequence[set[str]], expected: Sequence[set[str]]) -> str:
    wrong = sum(answer != truth for answer, truth in zip(answers, expected, strict=True))
    return f"wrong answers: {wrong}" if not wrong else f"WRONG ANSWERS: {wrong}"
