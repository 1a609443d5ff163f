"""Population analyses at 1000 Genomes scale (prints figures, asserts nothing).

Generates a synthetic cohort of ~2,000,000 call documents for the 3,202 1kGP samples (real
sample ids, sex and populations; SYNTHETIC calls): shared CNV loci whose carrier
frequencies differ by superpopulation and population (a few strongly), deletions,
duplications and multi-allelic loci, per-carrier breakpoint jitter, sex-aware copy numbers
on X and Y, plus private calls. It loads them through the ingest writer, then measures

* the full analysis job exactly as the query service runs it (a child process reading
  the calls from the store, analysing, storing result and cohort snapshot),
* reading a precomputed result: the raw store read, and the /analyses endpoints of the
  query service (first request after start, then the median of repeated requests),
* an on-demand subset (computed from the snapshot) and an SVG plot.

Usage: .venv/bin/python bench/bench_analyses.py [--calls N] [--mongodb-url URL] [--reuse]
Without --mongodb-url a SecantusDB is started on --storage (default var/bench-analyses),
which --reuse keeps between runs (the cohort is then loaded only once).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import numpy as np
import pyarrow.parquet as pq
from aiohttp import web
from pymongo import AsyncMongoClient

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.analyses import AnalysisSettings
from cnvbeacon.query.analyses.child import run_job_in_child
from cnvbeacon.query.analyses.genome import genome
from cnvbeacon.query.analyses.keys import SETTINGS as ANALYSIS_SETTINGS
from cnvbeacon.query.analyses.result_store import load_run, load_table
from cnvbeacon.query.analyses.variants import DEFAULT
from cnvbeacon.query.app import create_app
from cnvbeacon.query.read_model import CALLS_FILE, ReadModel
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.reference import chromosome_length, load_1kgp_samples
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import ensure_indexes
from cnvbeacon.shared.vocabulary import Direction, classify_copy_number

if TYPE_CHECKING:
    from bench.context import BenchContext

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import localstack  # noqa: E402

DATASET = "bench-analyses"
DATABASE = "bench_analyses"
META = "bench_meta"
ASSEMBLY = "GRCh38"
CHROMOSOMES = (*(str(n) for n in range(1, 23)), "X", "Y")
WRITE_BATCH = 5000
PRIVATE_SHARE = 0.15


# --------------------------------------------------------------------------- the cohort


@dataclass(frozen=True, slots=True)
class Cohort:
    chrom: np.ndarray  # index into CHROMOSOMES
    start: np.ndarray
    end: np.ndarray
    sample: np.ndarray  # index into the sample table
    loss: np.ndarray
    copy_number: np.ndarray
    is_pass: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


def generate_cohort(n_calls: int, seed: int) -> Cohort:
    rng = np.random.default_rng(seed)
    samples = load_1kgp_samples()
    populations = sorted({s.population_code or "" for s in samples})
    superpopulation_of = {s.population_code: s.superpopulation_code for s in samples}
    superpopulations = sorted(set(superpopulation_of.values()), key=str)
    pop = np.array([populations.index(s.population_code or "") for s in samples])
    male = np.array([s.sex == "male" for s in samples])
    members = [np.flatnonzero(pop == p) for p in range(len(populations))]
    sizes = np.array([len(m) for m in members])
    lengths = np.array([chromosome_length(c, ASSEMBLY) for c in CHROMOSOMES], dtype=np.int64)

    # Shared loci: most rare, a few common (skewed base frequency), per-superpopulation and
    # per-population log-normal departures, 3% strongly differentiated.
    base = 10 ** (-3.3 + 3.0 * rng.random(200_000) ** 3)
    n_loci = int(np.ceil((1 - PRIVATE_SHARE) * n_calls / (base.mean() * len(samples))))
    base = base[:n_loci]
    spread = np.where(rng.random(n_loci) < 0.03, 2.0, 0.5)
    by_superpopulation = base[:, None] * np.exp(
        rng.normal(0, 1, (n_loci, len(superpopulations))) * spread[:, None]
    )
    column = [superpopulations.index(superpopulation_of[p]) for p in populations]
    frequency = by_superpopulation[:, column] * np.exp(
        rng.normal(0, 0.2, (n_loci, len(populations)))
    )
    frequency = np.clip(frequency, 0, 0.95)
    locus_chrom = rng.choice(len(CHROMOSOMES), n_loci, p=lengths / lengths.sum())
    locus_length = np.clip(10 ** rng.normal(3.8, 0.6, n_loci), 1000, 5e6).astype(np.int64)
    locus_start = (rng.random(n_loci) * (lengths[locus_chrom] - locus_length)).astype(np.int64)
    kind = rng.choice(3, n_loci, p=[0.62, 0.33, 0.05])  # deletion, duplication, multi-allelic

    counts = rng.binomial(sizes[None, :], frequency)
    locus = np.repeat(np.arange(n_loci), counts.sum(axis=1))
    population = np.repeat(np.tile(np.arange(len(populations)), n_loci), counts.ravel())
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    by_population = np.concatenate(members)
    sample = by_population[offsets[population] + rng.integers(0, sizes[population])]
    keep = np.unique(locus * len(samples) + sample, return_index=True)[1]
    locus, sample, population = locus[keep], sample[keep], population[keep]
    on_y = CHROMOSOMES.index("Y")
    keep = (locus_chrom[locus] != on_y) | male[sample]
    locus, sample, population = locus[keep], sample[keep], population[keep]

    length = locus_length[locus]
    jitter = rng.random(len(locus)) < 0.3
    shift = (rng.uniform(-0.05, 0.05, (2, len(locus))) * length * jitter).astype(np.int64)
    start = np.maximum(locus_start[locus] + shift[0], 0)
    end = np.maximum(locus_start[locus] + length + shift[1], start + 1)
    haploid = male[sample] & np.isin(locus_chrom[locus], [CHROMOSOMES.index("X"), on_y])
    baseline = np.where(haploid, 1, 2)
    f = frequency[locus, population]
    draw = rng.random(len(locus))
    # Deletions: homozygous at the carrier frequency (0 copies), else one copy lost;
    # duplications: mostly one extra copy; multi-allelic loci: any state from 0 to 6.
    copy_number = np.select(
        [kind[locus] == 0, kind[locus] == 1],
        [np.where(draw < f, 0, baseline - 1), baseline + np.where(draw < 0.15, 2, 1)],
        default=rng.choice([0, 1, 3, 4, 5, 6], len(locus)),
    )
    copy_number = np.where(haploid & (kind[locus] == 0), 0, copy_number)

    n_private = n_calls - len(locus)
    p_sample = rng.integers(0, len(samples), n_private)
    p_chrom = rng.choice(len(CHROMOSOMES) - 1, n_private, p=lengths[:-1] / lengths[:-1].sum())
    p_length = np.clip(10 ** rng.normal(3.5, 0.5, n_private), 1000, 2e6).astype(np.int64)
    p_start = (rng.random(n_private) * (lengths[p_chrom] - p_length)).astype(np.int64)
    p_loss = rng.random(n_private) < 0.7
    p_haploid = male[p_sample] & (p_chrom == CHROMOSOMES.index("X"))
    p_copy = np.where(p_loss, np.where(p_haploid, 0, 1), np.where(p_haploid, 2, 3))

    chrom = np.concatenate([locus_chrom[locus], p_chrom])
    all_start = np.concatenate([start, p_start])
    all_end = np.concatenate([end, p_start + p_length])
    all_copy = np.concatenate([copy_number, p_copy]).astype(np.float64)
    all_baseline = np.concatenate([baseline, np.where(p_haploid, 1, 2)])
    order = np.lexsort((all_start, chrom, np.concatenate([sample, p_sample])))
    return Cohort(
        chrom=chrom[order],
        start=all_start[order],
        end=all_end[order],
        sample=np.concatenate([sample, p_sample])[order],
        loss=(all_copy < all_baseline)[order],
        copy_number=all_copy[order],
        is_pass=(rng.random(len(order)) < 0.22),
    )


def call_documents(cohort: Cohort) -> Iterator[list[dict[str, Any]]]:
    samples = load_1kgp_samples()
    batch: list[dict[str, Any]] = []
    columns = zip(
        cohort.chrom.tolist(),
        cohort.start.tolist(),
        cohort.end.tolist(),
        cohort.sample.tolist(),
        cohort.loss.tolist(),
        cohort.copy_number.tolist(),
        cohort.is_pass.tolist(),
        strict=True,
    )
    for index, (chrom, start, end, sample, loss, copies, is_pass) in enumerate(columns):
        record = samples[sample]
        direction = Direction.LOSS if loss else Direction.GAIN
        baseline = 1 if record.sex == "male" and CHROMOSOMES[chrom] in ("X", "Y") else 2
        batch.append(
            {
                "_id": f"{DATASET}:{index:09d}",
                "dataset_id": DATASET,
                "assembly": ASSEMBLY,
                "chrom": CHROMOSOMES[chrom],
                "start": start,
                "end": end,
                "length": end - start,
                "length_class": length_class(end - start),
                "variant_type": direction.value,
                "efo_id": classify_copy_number(direction, copies, baseline),
                "copy_number": copies,
                "copy_ratio": copies / 2,
                "genotype": None,
                "zygosity_id": None,
                "quality": 40.0,
                "filters": ["PASS"] if is_pass else ["cnvQual"],
                "is_pass": is_pass,
                "vcf_id": None,
                "biosample_id": record.sample_id,
                "individual_id": record.sample_id,
                "sex": record.sex,
                "population": record.population_code,
                "superpopulation": record.superpopulation_code,
                "file_digest": "synthetic",
                "job_id": "bench",
                "source_line": index + 1,
            }
        )
        if len(batch) == WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def load(db: Database, n_calls: int, seed: int) -> int:
    """Load the cohort unless this exact one is already stored; the number of calls."""
    meta = await db[META].find_one({"_id": DATASET})
    if meta is not None and meta.get("requested") == n_calls and meta.get("seed") == seed:
        print(f"reusing the stored cohort: {meta['calls']:,} calls")
        return int(meta["calls"])
    await db.drop_collection("calls")
    await ensure_indexes(db)
    started = time.perf_counter()
    cohort = generate_cohort(n_calls, seed)
    print(f"generated {len(cohort):,} calls in {time.perf_counter() - started:.1f} s")
    await call_writer.upsert_individuals(
        db,
        DATASET,
        [
            {
                "individual_id": s.sample_id,
                "biosample_ids": [s.sample_id],
                "sex": s.sex,
                "population": s.population_code,
                "superpopulation": s.superpopulation_code,
            }
            for s in load_1kgp_samples()
        ],
    )
    started = time.perf_counter()
    written = 0
    for batch in call_documents(cohort):
        await call_writer.insert_calls(db, DATASET, batch)
        written += len(batch)
        if written % 200_000 < WRITE_BATCH:
            print(
                f"  loaded {written:,} calls ({written / (time.perf_counter() - started):,.0f}/s)"
            )
    await call_writer.touch_dataset(db, DATASET, ASSEMBLY, synthetic=True)
    seconds = time.perf_counter() - started
    print(f"loaded {written:,} calls in {seconds:.0f} s ({written / seconds:,.0f} calls/s)")
    await db[META].replace_one(
        {"_id": DATASET}, {"requested": n_calls, "seed": seed, "calls": written}, upsert=True
    )
    return written


# --------------------------------------------------------------------------- measuring


async def timed(action: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await action()
    return (time.perf_counter() - started) * 1000, result


async def repeated_ms(action: Callable[[], Awaitable[Any]], times: int = 20) -> tuple[float, float]:
    samples = [(await timed(action))[0] for _ in range(times)]
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


@asynccontextmanager
async def caught_up_read_model(db: Database) -> AsyncIterator[ReadModel]:
    """A read model of this process (its own scratch file), caught up with the store."""
    with tempfile.TemporaryDirectory(prefix="cnvb-bench-read-model-") as directory:
        model = ReadModel(db, Path(directory), source="bench analyses", poll_s=3600)
        await model.open()
        try:
            await model.catch_up()
            yield model
        finally:
            await model.close()


async def export_calls(model: ReadModel, dataset_id: str) -> int:
    """The floor of the job's read: the read model's export of the dataset (what the job
    reads), written and then counted."""
    with tempfile.TemporaryDirectory(prefix="cnvb-bench-export-") as directory:
        await model.export_dataset(dataset_id, genome(ASSEMBLY).chromosomes, Path(directory))
        return int(pq.read_metadata(Path(directory) / CALLS_FILE).num_rows)


async def forget_variants(settings: QuerySettings) -> None:
    """Remove stored subsets and other variants, so that on-demand figures compute them."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_url)
    analyses = client[settings.mongodb_database]["analyses"]
    async for run in analyses.find({"dataset_id": DATASET, "kind": "run"}):
        if run["variant_key"] != DEFAULT.key:
            await analyses.delete_one({"_id": run["_id"]})
            await analyses.delete_many(
                {"dataset_id": DATASET, "kind": "part", "run_id": run.get("run_id")}
            )
    await client.close()


@asynccontextmanager
async def query_service(settings: QuerySettings) -> AsyncIterator[str]:
    """The query app in this process, not consuming analysis requests."""
    app = create_app(settings)
    app[ANALYSIS_SETTINGS] = AnalysisSettings(worker=False)
    runner = web.AppRunner(app)
    await runner.setup()
    port = localstack.free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def measure(url: str, n_calls: int, seed: int) -> None:
    settings = QuerySettings.model_validate(
        {
            "mongodb_url": url,
            "mongodb_database": DATABASE,
            "log_json": False,
            "log_level": "WARNING",
            "read_model_directory": tempfile.mkdtemp(prefix="cnvb-bench-query-"),
        }
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    db = client[DATABASE]
    try:
        await ensure_indexes(db)
        await load(db, n_calls, seed)
        async with caught_up_read_model(db) as model:
            print("\n== floor: the read model's export of the dataset (what the job reads)")
            floor_ms, streamed = await timed(lambda: export_calls(model, DATASET))
            print(
                f"  {streamed:,} calls in {floor_ms / 1000:.1f} s "
                f"({streamed / floor_ms * 1000:,.0f}/s)"
            )
            print("\n== the full analysis job (child process, as the query service runs it)")
            started = time.perf_counter()
            report = await run_job_in_child(settings, model, DATASET)
            total = time.perf_counter() - started
        print(
            f"  {report.calls:,} calls of {report.samples:,} samples: {total:.1f} s in all "
            f"(read {report.read_seconds:.1f} s, analyse {report.analysis_seconds:.1f} s, "
            f"store {report.store_seconds:.1f} s, process start and the rest "
            f"{total - report.read_seconds - report.analysis_seconds - report.store_seconds:.1f} s)"
            f"  -> target <= 120 s: {'met' if total <= 120 else 'MISSED'}; "
            f"{total / (floor_ms / 1000):.2f} x the streaming floor"
        )
        run = await load_run(db, DATASET, DEFAULT.key)
        assert run is not None
        summary = run.meta["summary"]
        print(
            f"  {summary['cnvrs']:,} CNVRs ({summary['percent_of_genome']:.1f}% of the genome), "
            f"{summary['events']:,} events, classes {summary['cnvr_classes']}"
        )
        print("\n== reading the precomputed result from the store (no cache)")
        run_ms, _ = await repeated_ms(lambda: load_run(db, DATASET, DEFAULT.key))
        print(f"  run document with the genome summary: median {run_ms:.1f} ms")
        for table in ("bins", "cnvrs", "genes"):
            ms, found = await timed(lambda t=table: load_table(db, run, t))
            print(f"  table {table}: {len(next(iter(found.values()))):,} rows in {ms:.0f} ms")
        await query_endpoints(settings)
    finally:
        await client.close()


async def query_endpoints(settings: QuerySettings) -> None:
    base_path = f"/analyses/{DATASET}"
    requests = {
        "status": "",
        "genome summary": "/summary",
        "CNVRs, first page": "/cnvrs?limit=100",
        "CNVRs, chr1 deletions in >= 10 samples": "/cnvrs?class=deletion&min_samples=10&chrom=1",
        "frequency map, 1 Mb bins, superpopulations": "/frequencies?group=superpopulation",
        "V_ST outliers": "/vst",
        "sample profiles": "/samples?limit=100",
    }
    async with query_service(settings) as url, aiohttp.ClientSession() as session:

        async def get(path: str) -> bytes:
            async with session.get(url + base_path + path) as response:
                body = await response.read()
                assert response.status == 200, (path, body[:300])
                return body

        print(
            "\n== the query service (HTTP, JSON): first request after start, then median/p95 of 20"
        )
        for name, path in requests.items():
            first, body = await timed(lambda p=path: get(p))
            median, p95 = await repeated_ms(lambda p=path: get(p))
            verdict = "met" if median <= 50 else "MISSED"
            print(
                f"  {name:48s} first {first:7.1f} ms, then median {median:6.1f} ms, "
                f"p95 {p95:6.1f} ms ({len(body) / 1024:,.0f} KiB) -> <= 50 ms: {verdict}"
            )
        print("\n== on demand")
        await forget_variants(settings)
        for name, path in (
            ("subset superpopulation=EUR, summary", "/summary?superpopulation=EUR"),
            ("subset pass_only, CNVR page", "/cnvrs?pass_only=true&limit=100"),
            ("bin_size=100000, frequency map", "/frequencies?bin_size=100000&limit=100"),
        ):
            first, _ = await timed(lambda p=path: get(p))
            median, _ = await repeated_ms(lambda p=path: get(p), times=5)
            print(f"  {name:48s} computed in {first / 1000:5.1f} s, then {median:6.1f} ms")
        for plot in ("frequency", "populations", "cnvr-map", "vst", "sizes"):
            ms, body = await timed(lambda p=plot: get(f"/plots/{p}.svg"))
            print(f"  plot {plot:12s} rendered in {ms:6.0f} ms ({len(body) / 1024:,.0f} KiB)")


@asynccontextmanager
async def store(args: argparse.Namespace) -> AsyncIterator[str]:
    if args.mongodb_url:
        yield args.mongodb_url
        return
    storage = Path(args.storage) / "secantus"
    if not args.reuse and storage.exists():
        shutil.rmtree(storage)
    port = localstack.free_port()
    process = localstack.start_secantus(port, storage, Path(args.storage) / "secantus.log")
    try:
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mongodb-url")
    parser.add_argument("--storage", default=str(ROOT / "var" / "bench-analyses"))
    parser.add_argument("--reuse", action="store_true", help="keep the store between runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    async def run() -> None:
        async with store(args) as url:
            await measure(url, args.calls, args.seed)

    asyncio.run(run())


if __name__ == "__main__":
    main()


# --------------------------------------------------------------------------- python -m bench


async def run_section(context: BenchContext) -> list[Any]:
    """The analyses section of `python -m bench`, on that run's ingested cohort: the full
    analysis job against the floor of streaming the dataset's calls once, and reading the
    stored result through the stack's query service against a raw read of the run document.

    The stack's query services should run with CNVB_ANALYSIS_WORKER=false, or they analyse
    the cohort themselves (after ingest, during later sections)."""
    from bench.figures import Better, Figure, Status

    section = "analyses"
    stack = context.stack
    settings = QuerySettings.model_validate(
        {
            "mongodb_url": stack.mongodb_url,
            "mongodb_database": stack.database,
            "log_json": False,
            "log_level": "WARNING",
        }
    )
    db, dataset = context.db, context.dataset_id
    async with caught_up_read_model(db) as model:
        floor_ms, calls = await timed(lambda: export_calls(model, dataset))
        job_ms, report = await timed(lambda: run_job_in_child(settings, model, dataset))
    figures = [
        Figure(
            section,
            "read model export of the dataset (what the job reads)",
            floor_ms / 1000,
            "s",
            better=Better.LOWER,
            note=f"{calls:,} calls as Parquet, from a read model of the bench process",
        ),
        Figure(
            section,
            "full analysis job (child process)",
            job_ms / 1000,
            "s",
            better=Better.LOWER,
            floor=f"{section}/read model export of the dataset (what the job reads)",
            note=f"read {report.read_seconds:.1f} s, analyse {report.analysis_seconds:.1f} s, "
            f"store {report.store_seconds:.1f} s; target <= 30 s",
        ),
    ]
    run_ms, _ = await repeated_ms(lambda: load_run(db, dataset, DEFAULT.key))
    figures.append(
        Figure(
            section,
            "raw read of the stored run document",
            run_ms,
            "ms",
            better=Better.LOWER,
            runs=20,
        )
    )
    url = context.service_url("query")
    if url is None:
        figures.append(
            Figure.missing(
                section, "stored results over HTTP", Status.UNAVAILABLE, "no query service"
            )
        )
        return figures
    async with aiohttp.ClientSession() as session:

        async def get(path: str) -> None:
            async with session.get(f"{url}/analyses/{dataset}{path}") as response:
                await response.read()
                assert response.status == 200, path

        for name, path in (
            ("genome summary", "/summary"),
            ("CNVR page", "/cnvrs?limit=100"),
            ("V_ST outliers", "/vst"),
            ("frequency map 1 Mb", "/frequencies"),
        ):
            await get(path)  # the first read fills the service's cache
            median, p95 = await repeated_ms(lambda p=path: get(p))
            figures.append(
                Figure(
                    section,
                    f"{name} (HTTP, warm) median",
                    median,
                    "ms",
                    better=Better.LOWER,
                    floor=f"{section}/raw read of the stored run document",
                    runs=20,
                    note=f"p95 {p95:.1f} ms; target <= 50 ms",
                )
            )
        subset_ms, _ = await timed(lambda: get("/summary?superpopulation=EUR"))
        figures.append(
            Figure(
                section,
                "on-demand subset (EUR), first request",
                subset_ms / 1000,
                "s",
                better=Better.LOWER,
                note="computed from the stored cohort snapshot",
            )
        )
    return figures
