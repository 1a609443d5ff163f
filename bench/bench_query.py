"""Lookup latency of the query service at 1000 Genomes scale (prints figures, asserts nothing).

Loads a synthetic cohort of realistic call documents (default 2,000,000: 3,202 1kGP samples
carrying shared CNV sites of skewed frequency, DRAGEN-like 1 kb breakpoints with jitter,
log-normal lengths with a tail past 10 Mb) through the ingest writer, writes the same calls
as a bgzipped, tabix-indexed VCF, starts the query service as its own process, then times
>= 500 random overlap windows of 10 kb - 2 Mb, interleaved window by window:

* tabix (pysam.TabixFile fetch + the exact end check): the floor,
* the raw store query of the same shape (maxima, then one index range scan per length
  class with the service's projection, the end check in Python),
* the query service over HTTP, whole result (``/calls`` with a page as large as the result),

then the service at concurrency 16, its first page with counts (the UI's request), and
whole-chromosome and whole-dataset counts. Every answer is checked against the ids the
generator knows (wrong results must be 0).

Usage: .venv/bin/python bench/bench_query.py [--calls N] [--windows N] [--mongodb-url URL]
       [--reuse] [--load-only]
Without --mongodb-url a SecantusDB is started (as deploy/local/localstack.py does) on the
storage directory --storage (default var/bench-query), which --reuse keeps between runs
(the loaded cohort, and the service's stored count summary).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pysam
from pymongo import AsyncMongoClient

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.calls import CallLookup, index_queries
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.reference import chromosome_length, load_1kgp_samples
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, ensure_indexes
from cnvbeacon.shared.vocabulary import Direction, classify_copy_number

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import localstack  # noqa: E402

DATASET = "bench-1kgp"
ASSEMBLY = "GRCh38"
CHROMOSOMES = (*(str(n) for n in range(1, 23)), "X", "Y")
META = "bench_meta"  # bench-only collection in the bench database: what was loaded
WRITE_BATCH = 5000


# --------------------------------------------------------------------------- the cohort


@dataclass(frozen=True, slots=True)
class Cohort:
    """Every call as columns (row i = one call), in load order (by sample, then position)."""

    chrom: np.ndarray  # index into CHROMOSOMES
    start: np.ndarray
    end: np.ndarray
    sample: np.ndarray  # index into samples
    loss: np.ndarray  # bool: DEL, else DUP
    copy_number: np.ndarray
    is_pass: np.ndarray
    line: np.ndarray  # 1-based "source line" within the sample's file

    def __len__(self) -> int:
        return len(self.start)


def generate_cohort(n_calls: int, seed: int, n_samples: int) -> Cohort:
    """Shared CNV sites with skewed carrier frequencies (most rare, some common), DRAGEN-like
    1 kb breakpoints with per-carrier jitter at a quarter of carriers, 60% losses, lengths
    log-normal around 10 kb with a tail to 5 Mb and a few sites longer than 10 Mb."""
    rng = np.random.default_rng(seed)
    lengths = np.array([chromosome_length(c, ASSEMBLY) for c in CHROMOSOMES], dtype=np.int64)
    weights = lengths / lengths.sum()
    site_chrom: list[np.ndarray] = []
    site_carriers: list[np.ndarray] = []
    total = 0
    while total < n_calls:
        u = rng.random(4096)
        carriers = np.ceil(n_samples * 10 ** (-3.5 + 3.3 * u**3)).astype(np.int64)
        carriers = np.minimum(carriers, n_samples)
        site_carriers.append(carriers)
        site_chrom.append(rng.choice(len(CHROMOSOMES), size=len(u), p=weights))
        total += int(carriers.sum())
    carriers = np.concatenate(site_carriers)
    chrom = np.concatenate(site_chrom)
    cut = int(np.searchsorted(np.cumsum(carriers), n_calls)) + 1
    carriers, chrom = carriers[:cut], chrom[:cut]
    carriers[-1] -= int(carriers.sum()) - n_calls
    n_sites = len(carriers)
    site_length = np.clip(10 ** rng.normal(4.0, 0.55, n_sites), 1000, 5_000_000)
    giant = rng.random(n_sites) < 0.0005
    site_length[giant] = rng.uniform(10_000_000, 25_000_000, int(giant.sum()))
    site_length = (site_length // 1000 * 1000).astype(np.int64)
    room = np.maximum(lengths[chrom] - site_length - 8000, 1)
    site_start = (rng.integers(0, room) // 1000 * 1000).astype(np.int64) + 4000
    site_loss = rng.random(n_sites) < 0.6

    site_of_call = np.repeat(np.arange(n_sites), carriers)
    sample = np.concatenate(
        [rng.choice(n_samples, size=int(k), replace=False) for k in carriers]
    ).astype(np.int64)
    jitter = rng.random(len(sample)) < 0.25
    shift_start = np.where(jitter, rng.integers(-3, 4, len(sample)) * 1000, 0)
    shift_end = np.where(jitter, rng.integers(-3, 4, len(sample)) * 1000, 0)
    start = site_start[site_of_call] + shift_start
    end = np.maximum(site_start[site_of_call] + site_length[site_of_call] + shift_end, start + 500)
    end = np.minimum(end, lengths[chrom[site_of_call]])
    loss = site_loss[site_of_call]
    deep = rng.random(len(sample)) < 0.12
    copy_number = np.where(loss, np.where(deep, 0, 1), np.where(deep, 4, 3)).astype(np.float64)
    is_pass = rng.random(len(sample)) < 0.8

    call_chrom = chrom[site_of_call]
    order = np.lexsort((start, call_chrom, sample))
    sample, call_chrom, start, end = sample[order], call_chrom[order], start[order], end[order]
    loss, copy_number, is_pass = loss[order], copy_number[order], is_pass[order]
    first_of_sample = np.searchsorted(sample, np.arange(n_samples))
    line = np.arange(len(sample)) - first_of_sample[sample] + 100
    return Cohort(call_chrom, start, end, sample, loss, copy_number, is_pass, line)


def sample_digest(sample_id: str) -> str:
    return hashlib.sha256(f"bench:{sample_id}".encode()).hexdigest()


def call_id(digest: str, line: int) -> str:
    return f"{DATASET}:{digest[:16]}:{line}:0"


def call_documents(cohort: Cohort, samples: Sequence[Any]) -> Iterator[list[dict[str, Any]]]:
    """The cohort as CnvCall documents, in batches, built without numpy scalars."""
    digests = [sample_digest(s.sample_id) for s in samples]
    columns = zip(
        cohort.chrom.tolist(),
        cohort.start.tolist(),
        cohort.end.tolist(),
        cohort.sample.tolist(),
        cohort.loss.tolist(),
        cohort.copy_number.tolist(),
        cohort.is_pass.tolist(),
        cohort.line.tolist(),
        strict=True,
    )
    batch: list[dict[str, Any]] = []
    for chrom_index, start, end, sample_index, loss, copy_number, is_pass, line in columns:
        record = samples[sample_index]
        chrom = CHROMOSOMES[chrom_index]
        haploid = chrom == "Y" or (chrom == "X" and record.sex == "male")
        baseline = 1 if haploid else 2
        cn = copy_number - (1 if haploid and copy_number > 0 else 0)
        direction = Direction.LOSS if loss else Direction.GAIN
        length = end - start
        batch.append(
            {
                "_id": call_id(digests[sample_index], line),
                "dataset_id": DATASET,
                "assembly": ASSEMBLY,
                "chrom": chrom,
                "start": start,
                "end": end,
                "length": length,
                "length_class": length_class(length),
                "variant_type": direction.value,
                "efo_id": classify_copy_number(direction, cn, baseline),
                "copy_number": cn,
                "copy_ratio": round(cn / baseline, 3),
                "genotype": "0/1" if cn in (1.0, 3.0) else "1/1",
                "zygosity_id": "GENO:0000135" if cn in (1.0, 3.0) else "GENO:0000136",
                "quality": 40.0 if is_pass else 6.0,
                "filters": ["PASS"] if is_pass else ["cnvQual"],
                "is_pass": is_pass,
                "vcf_id": f"DRAGEN:{'LOSS' if loss else 'GAIN'}:chr{chrom}:{start + 1}-{end}",
                "biosample_id": record.sample_id,
                "individual_id": record.sample_id,
                "sex": record.sex,
                "population": record.population_code,
                "superpopulation": record.superpopulation_code,
                "file_digest": digests[sample_index],
                "job_id": f"bench-{record.sample_id}",
                "source_line": line,
            }
        )
        if len(batch) >= WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def load_cohort(db: Database, cohort: Cohort, samples: Sequence[Any]) -> float:
    """Write through the ingest writer (maxima first, then calls); returns docs/s."""
    await ensure_indexes(db)
    await call_writer.upsert_individuals(
        db,
        DATASET,
        [
            {
                "individual_id": s.sample_id,
                "biosample_ids": [s.sample_id],
                "sex": s.sex,
                "population": s.population_code,
                "population_name": s.population_name,
                "superpopulation": s.superpopulation_code,
                "superpopulation_name": s.superpopulation_name,
            }
            for s in samples
        ],
    )
    started = time.perf_counter()
    written = 0
    for batch in call_documents(cohort, samples):
        written += await call_writer.insert_calls(db, DATASET, batch)
        if written % 200_000 < WRITE_BATCH:
            rate = written / (time.perf_counter() - started)
            print(f"  loaded {written:,} calls ({rate:,.0f}/s)", flush=True)
    await call_writer.touch_dataset(db, DATASET, ASSEMBLY, synthetic=True)
    return written / (time.perf_counter() - started)


def write_tabix_vcf(cohort: Cohort, samples: Sequence[Any], directory: Path) -> Path:
    """The same calls as a sites VCF (one record per call, ID = call id, POS = the padding
    base = 0-based start), bgzipped and tabix-indexed."""
    path = directory / "calls.vcf"
    digests = [sample_digest(s.sample_id) for s in samples]
    order = np.lexsort((cohort.start, cohort.chrom))
    with path.open("w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for chrom in CHROMOSOMES:
            handle.write(f"##contig=<ID=chr{chrom},length={chromosome_length(chrom, ASSEMBLY)}>\n")
        handle.write('##INFO=<ID=END,Number=1,Type=Integer,Description="End position">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i in order.tolist():
            alt = "<DEL>" if cohort.loss[i] else "<DUP>"
            handle.write(
                f"chr{CHROMOSOMES[cohort.chrom[i]]}\t{cohort.start[i]}\t"
                f"{call_id(digests[cohort.sample[i]], int(cohort.line[i]))}\tN\t{alt}\t.\t.\t"
                f"END={cohort.end[i]}\n"
            )
    return Path(pysam.tabix_index(str(path), preset="vcf", force=True))


# --------------------------------------------------------------------------- the windows


@dataclass(frozen=True, slots=True)
class Probe:
    chrom: str
    start: int
    end: int


def random_windows(count: int, seed: int) -> list[Probe]:
    """Overlap windows of 10 kb - 2 Mb (log-uniform), chromosomes weighted by length."""
    rng = random.Random(seed)
    chroms = CHROMOSOMES[:-1]
    lengths = [chromosome_length(c, ASSEMBLY) for c in chroms]
    probes = []
    for _ in range(count):
        chrom = rng.choices(chroms, weights=lengths)[0]
        size = int(10 ** rng.uniform(4, math.log10(2_000_000)))
        start = rng.randrange(0, chromosome_length(chrom, ASSEMBLY) - size)
        probes.append(Probe(chrom, start, start + size))
    return probes


class Expected:
    """Brute-force answers from the generated columns (not from any index)."""

    def __init__(self, cohort: Cohort, samples: Sequence[Any]) -> None:
        digests = [sample_digest(s.sample_id)[:16] for s in samples]
        self._by_chrom: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for index, chrom in enumerate(CHROMOSOMES):
            rows = np.flatnonzero(cohort.chrom == index)
            ids = np.array(
                [
                    f"{DATASET}:{digests[s]}:{line}:0"
                    for s, line in zip(
                        cohort.sample[rows].tolist(), cohort.line[rows].tolist(), strict=True
                    )
                ],
                dtype=object,
            )
            self._by_chrom[chrom] = (cohort.start[rows], cohort.end[rows], ids)

    def ids(self, probe: Probe) -> set[str]:
        starts, ends, ids = self._by_chrom[probe.chrom]
        return set(ids[(starts < probe.end) & (ends > probe.start)].tolist())


# --------------------------------------------------------------------------- the contenders


def tabix_lookup(tabix: pysam.TabixFile, probe: Probe) -> set[str]:
    """Records whose [POS-1, END) meets the window, then the exact check on [POS, END)."""
    found = set()
    for row in tabix.fetch(f"chr{probe.chrom}", probe.start, probe.end, parser=pysam.asTuple()):
        start = int(row[1])
        end = int(row[7][4:])
        if start < probe.end and end > probe.start:
            found.add(row[2])
    return found


async def raw_store_lookup(db: Database, probe: Probe, projection: dict[str, int]) -> set[str]:
    """The service's index queries issued directly: maxima, one range scan per length
    class, the end check in Python."""
    lookup = CallLookup((DATASET,), probe.chrom, Window(Match.OVERLAP, probe.start, probe.end))
    found = set()
    for query in await index_queries(db, lookup):
        async for call in db[CALLS].find(query, projection).sort("start", 1).batch_size(5000):
            if call["end"] > probe.start:
                found.add(call["_id"])
    return found


def region_params(probe: Probe, **extra: str) -> dict[str, str]:
    return {
        "datasets": DATASET,
        "chrom": probe.chrom,
        "start": str(probe.start),
        "end": str(probe.end),
        **extra,
    }


async def service_lookup(session: aiohttp.ClientSession, url: str, probe: Probe) -> set[str]:
    params = region_params(probe, limit=str(SERVICE_MAX_PAGE))
    async with session.get(f"{url}/calls", params=params) as response:
        body = await response.json()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {body}")
    return {call["id"] for call in body["calls"]}


async def service_first_page(session: aiohttp.ClientSession, url: str, probe: Probe) -> int:
    async with session.get(f"{url}/calls", params=region_params(probe)) as response:
        body = await response.json()
    return int(body["counts"]["calls"])


# --------------------------------------------------------------------------- measuring


SERVICE_MAX_PAGE = 100_000


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return at(0.50), at(0.95), at(0.99)


def report(name: str, samples_ms: Sequence[float], note: str = "") -> None:
    p50, p95, p99 = percentiles(samples_ms)
    print(f"  {name:<44} {p50:9.2f} {p95:9.2f} {p99:9.2f}  {note}", flush=True)


async def timed_async(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call()
    return (time.perf_counter() - started) * 1000, result


async def concurrently(
    probes: Sequence[Probe], concurrency: int, run: Callable[[Probe], Awaitable[Any]]
) -> tuple[list[float], list[Any], float]:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = [0.0] * len(probes)
    results: list[Any] = [None] * len(probes)

    async def one(index: int, probe: Probe) -> None:
        async with semaphore:
            latencies[index], results[index] = await timed_async(lambda: run(probe))

    started = time.perf_counter()
    await asyncio.gather(*(one(i, p) for i, p in enumerate(probes)))
    return latencies, results, time.perf_counter() - started


# --------------------------------------------------------------------------- processes


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


@contextmanager
def query_service(mongodb_url: str, database: str) -> Iterator[str]:
    """The query service as its own process, exactly as the images run it."""
    port = localstack.free_port()
    env = {
        **os.environ,
        "CNVB_MONGODB_URL": mongodb_url,
        "CNVB_MONGODB_DATABASE": database,
        "CNVB_PORT": str(port),
        "CNVB_MAX_PAGE_SIZE": str(SERVICE_MAX_PAGE),
        "CNVB_LOG_LEVEL": "WARNING",
        # A namespace of its own: no analysis request meant for another stack reaches it.
        "CNVB_AMQP_NAMESPACE": f"cnvb-bench-query-{os.getpid()}",
        "CNVB_ANALYSIS_WORKER": "false",  # lookups only: no population analysis runs here
    }
    process = subprocess.Popen(localstack.service_command("query"), env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def wait_until_summarised(session: aiohttp.ClientSession, url: str) -> float:
    """Seconds until the service answers and reports the dataset's summary as current."""
    started = time.perf_counter()
    while True:
        try:
            async with session.get(f"{url}/datasets/{DATASET}") as response:
                if response.status == 200:
                    body = await response.json()
                    if body["dataset"]["summary"]["state"] == "current":
                        return time.perf_counter() - started
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)


# --------------------------------------------------------------------------- main


async def ensure_loaded(db: Database, cohort: Cohort, samples: Sequence[Any], args: Any) -> None:
    wanted = {"_id": "cohort", "calls": len(cohort), "seed": args.seed}
    if args.reuse and await db[META].find_one({"_id": "cohort"}) == wanted:
        print(f"reusing the loaded cohort of {len(cohort):,} calls", flush=True)
        return
    await db.client.drop_database(db.name)
    print(f"loading {len(cohort):,} calls through the ingest writer ...", flush=True)
    started = time.perf_counter()
    rate = await load_cohort(db, cohort, samples)
    print(f"loaded in {time.perf_counter() - started:,.0f} s ({rate:,.0f} calls/s)", flush=True)
    await db[META].replace_one({"_id": "cohort"}, wanted, upsert=True)


async def run(args: argparse.Namespace) -> None:
    samples = load_1kgp_samples()
    started = time.perf_counter()
    cohort = generate_cohort(args.calls, args.seed, len(samples))
    print(f"generated {len(cohort):,} calls in {time.perf_counter() - started:.1f} s", flush=True)
    async with store(args) as mongodb_url:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
        db = client[args.database]
        await ensure_loaded(db, cohort, samples, args)
        if args.load_only:
            await client.close()
            return
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            vcf = write_tabix_vcf(cohort, samples, Path(scratch))
            print(f"wrote and indexed the VCF in {time.perf_counter() - started:.1f} s")
            expected = Expected(cohort, samples)
            probes = random_windows(args.windows, args.seed + 1)
            await measure(db, mongodb_url, args.database, vcf, expected, probes)
        await client.close()


async def measure(
    db: Database,
    mongodb_url: str,
    database: str,
    vcf: Path,
    expected: Expected,
    probes: Sequence[Probe],
) -> None:
    from cnvbeacon.query.calls import CALL_PROJECTION

    sizes = [len(expected.ids(p)) for p in probes]
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=64)
    with query_service(mongodb_url, database) as url:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            ready_s = await wait_until_summarised(session, url)
            print(f"service up with a current count summary after {ready_s:.1f} s")
            print(
                f"load average before measuring: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)"
            )
            print(
                f"\n{len(probes)} overlap windows of 10 kb - 2 Mb; calls per window: median "
                f"{statistics.median(sizes):.0f}, p95 {percentiles(sizes)[1]:.0f}, max {max(sizes)}"
            )
            print(f"  {'latency (ms)':<44} {'p50':>9} {'p95':>9} {'p99':>9}")
            # Interleaved window by window, so that all three see the same machine load.
            tabix = pysam.TabixFile(str(vcf))
            tabix_ms, raw_ms, service_ms = [], [], []
            wrong_raw = wrong_service = 0
            for probe in probes:
                started = time.perf_counter()
                tabix_lookup(tabix, probe)
                tabix_ms.append((time.perf_counter() - started) * 1000)
                ms, found = await timed_async(
                    lambda p=probe: raw_store_lookup(db, p, CALL_PROJECTION)
                )
                raw_ms.append(ms)
                wrong_raw += found != expected.ids(probe)
                ms, found = await timed_async(lambda p=probe: service_lookup(session, url, p))
                service_ms.append(ms)
                wrong_service += found != expected.ids(probe)
            report("tabix (pysam), floor", tabix_ms)
            report("raw store query, same shape", raw_ms, f"wrong: {wrong_raw}")
            report(
                "service /calls whole result, concurrency 1", service_ms, f"wrong: {wrong_service}"
            )
            ratios = sorted(s / r for s, r in zip(service_ms, raw_ms, strict=True))
            print(f"  {'service / raw, per window: median':<44} {statistics.median(ratios):9.2f}")
            latencies, results, wall = await concurrently(
                probes, 16, lambda p: service_lookup(session, url, p)
            )
            wrong = sum(r != expected.ids(p) for r, p in zip(results, probes, strict=True))
            report(
                "service /calls whole result, concurrency 16",
                latencies,
                f"wrong: {wrong}, {len(probes) / wall:.0f} req/s",
            )
            latencies, _, _ = await concurrently(
                probes, 1, lambda p: service_first_page(session, url, p)
            )
            report("service /calls first page + counts, c=1", latencies)
            await whole_counts(session, url)
    print(f"\nload average after measuring: {os.getloadavg()[0]:.2f}")


async def whole_counts(session: aiohttp.ClientSession, url: str) -> None:
    cases = {
        "whole chromosome 1": {"chrom": "1"},
        "whole chromosome 1, DEL, EUR, PASS": {
            "chrom": "1",
            "variant_type": "DEL",
            "superpopulation": "EUR",
            "pass_only": "true",
        },
        "whole dataset": {},
        "whole dataset, DUP >= 100 kb, female": {
            "variant_type": "DUP",
            "min_length": "100000",
            "sex": "female",
        },
    }
    print(f"\n  {'counts (ms, 5 runs)':<44} {'median':>9} {'max':>9}  calls/variants/samples")
    for name, params in cases.items():
        latencies = []
        body: dict[str, Any] = {}
        for _ in range(5):
            started = time.perf_counter()
            async with session.get(
                f"{url}/counts", params={"datasets": DATASET, **params}
            ) as response:
                body = await response.json()
            latencies.append((time.perf_counter() - started) * 1000)
        counts = body["counts"]
        print(
            f"  {name:<44} {statistics.median(latencies):9.2f} {max(latencies):9.2f}  "
            f"{counts['calls']}/{counts['variants']}/{counts['biosamples']} "
            f"({body['counted_by']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--windows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--mongodb-url", default=None)
    parser.add_argument("--database", default="cnvb_bench_query")
    parser.add_argument("--storage", default=str(ROOT / "var" / "bench-query"))
    parser.add_argument("--reuse", action="store_true", help="keep and reuse a loaded cohort")
    parser.add_argument("--load-only", action="store_true", help="load the cohort and stop")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
