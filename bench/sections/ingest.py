"""Ingest: parsing and storing against their floors, and end to end through the queue.

* parse floor: pysam.VariantFile iterating the first ``floor_files`` files (htslib);
* ours: cnvbeacon.ingest.vcf.read_vcf turning the same files into call documents (the
  compiled record scanner, as the worker runs it, and the reference Python code alone);
* store floor: insert_many of exactly those documents into a collection with the calls
  collection's indexes, in the run's database (dropped between runs);
* end to end: the cohort's manifest submitted in consecutive batches to the ingest API
  (POST /batches, inbox paths), timed until every job of a batch has succeeded; batches
  stop early once the time budget would be exceeded (the projection is reported);
* the files the queue did not get are then loaded with the parser and the ingest writer
  directly, so later sections always query the whole cohort.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pysam

from bench.context import BenchContext
from bench.figures import Better, Figure
from bench.ingest_client import BatchOutcome, IngestClient, manifest_text
from bench.measure import Repeated
from cnvbeacon.ingest import call_writer
from cnvbeacon.ingest.vcf import VcfReader, read_vcf
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS, INDEXES

SECTION = "ingest"
MANIFEST_HEADER = ("sample", "file", "sex", "population", "superpopulation")
# Marks the floor's documents (never a sha256 digest, so never a real file's).
FLOOR_DIGEST = "bench-insert-floor"
FLOOR_DOCUMENTS = 10_000  # per store-floor run: small enough to repeat between batches
INSERT_BATCH = 5000
MAX_BATCH_FILES = 100
MIN_BATCHES = 3
ASSEMBLY = "GRCh38"


def sample_metadata(row: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        row["sample"]: {
            "sex": row["sex"],
            "population": row["population"],
            "superpopulation": row["superpopulation"],
        }
    }


def pysam_records(paths: Sequence[Path]) -> int:
    # Without this htslib reports every file's missing tabix index; iteration needs none.
    pysam.set_verbosity(0)
    records = 0
    for path in paths:
        with pysam.VariantFile(str(path)) as vcf:
            for _ in vcf:
                records += 1
    return records


def _readers(
    paths: Sequence[Path],
    rows: Sequence[dict[str, str]],
    dataset_id: str,
    job_id: str,
    compiled: bool = True,
) -> Iterator[VcfReader]:
    for path, row in zip(paths, rows, strict=True):
        yield read_vcf(
            path,
            dataset_id=dataset_id,
            job_id=job_id,
            sample_metadata=sample_metadata(row),
            compiled=compiled,
        )


def parse_documents(
    paths: Sequence[Path], rows: Sequence[dict[str, str]], dataset_id: str, job_id: str
) -> list[Document]:
    """Every call document of these files, kept (for the store floor)."""
    documents: list[Document] = []
    for reader in _readers(paths, rows, dataset_id, job_id):
        for batch in reader:
            documents.extend(batch)
    return documents


def parsed_records(
    paths: Sequence[Path], rows: Sequence[dict[str, str]], compiled: bool = True
) -> int:
    """Parse to documents as the worker does: each batch is handed on and dropped (keeping
    every document alive would time the garbage collector walking them, not the parser)."""
    records = 0
    for reader in _readers(paths, rows, "bench-parse", "bench-parse", compiled):
        for _ in reader:
            pass
        records += reader.stats.records_read
    return records


class StoreFloor:
    """insert_many of the same call documents into the calls collection the queue writes to.

    Same collection, indexes, size and key distribution as the end-to-end path: the
    documents keep their dataset and biosample (so their index entries land among the
    real ones, not in a fresh, cache-friendly corner); only `_id` gets a suffix and
    `file_digest` a marker, by which each run's documents are deleted again (an index
    scan per biosample). A fresh small collection would flatter the floor more and more as
    the cohort grows. Each run is timed on its own so that runs can be interleaved with
    the batches they are the floor of (the machine's load changes by the minute); the
    floor is their median.
    """

    def __init__(self, db: Database, documents: list[Document]) -> None:
        self._db = db
        self.documents = [
            {**document, "_id": f"{document['_id']}:floor", "file_digest": FLOOR_DIGEST}
            for document in documents
        ]
        self._owners = sorted({(d["dataset_id"], d["biosample_id"]) for d in self.documents})
        self.rates: list[float] = []

    async def run_once(self) -> None:
        collection = self._db[CALLS]
        await collection.create_indexes(INDEXES[CALLS])
        await self._delete()
        started = time.perf_counter()
        for first in range(0, len(self.documents), INSERT_BATCH):
            await collection.insert_many(
                self.documents[first : first + INSERT_BATCH], ordered=False
            )
        self.rates.append(len(self.documents) / (time.perf_counter() - started))
        await self._delete()

    async def _delete(self) -> None:
        for dataset_id, biosample_id in self._owners:
            await self._db[CALLS].delete_many(
                {
                    "dataset_id": dataset_id,
                    "biosample_id": biosample_id,
                    "file_digest": FLOOR_DIGEST,
                }
            )

    def figure(self) -> Figure:
        return Figure(
            SECTION,
            "store floor: insert_many of the same documents",
            statistics.median(self.rates),
            "docs/s",
            runs=len(self.rates),
            spread=(min(self.rates), max(self.rates)),
            note=f"{len(self.documents):,} documents among the stored calls (same collection, "
            f"indexes, size and keys), batches of {INSERT_BATCH}; runs interleaved with the "
            "queue batches",
        )


def _parse_rates(
    paths: Sequence[Path], rows: Sequence[dict[str, str]], repeats: int
) -> tuple[Repeated, Repeated, Repeated]:
    """pysam, read_vcf and read_vcf's reference Python path over the same files, alternating,
    so all see the same load."""
    floor: list[float] = []
    ours: list[float] = []
    reference: list[float] = []
    runs: tuple[tuple[list[float], Callable[[], int]], ...] = (
        (floor, partial(pysam_records, paths)),
        (ours, partial(parsed_records, paths, rows)),
        (reference, partial(parsed_records, paths, rows, compiled=False)),
    )
    for _ in range(repeats):
        for rates, run in runs:
            started = time.perf_counter()
            records = run()
            rates.append(records / (time.perf_counter() - started))
    return Repeated(tuple(floor), 0), Repeated(tuple(ours), 0), Repeated(tuple(reference), 0)


async def run_section(context: BenchContext) -> list[Figure]:
    options = context.options
    rows = context.cohort.manifest_rows()
    paths = [context.cohort.directory / row["file"] for row in rows]
    floor_rows, floor_paths = rows[: options.floor_files], paths[: options.floor_files]
    scope = f"{len(floor_paths)} files per run, alternating with the floor"

    pysam_rate, ours, reference = await asyncio.to_thread(
        _parse_rates, floor_paths, floor_rows, options.repeats
    )
    documents = await asyncio.to_thread(
        parse_documents, floor_paths, floor_rows, context.dataset_id, "bench-insert-floor"
    )
    store = StoreFloor(context.db, documents[:FLOOR_DOCUMENTS])
    for _ in range(options.repeats):
        await store.run_once()
    parse_floor = Figure.of_rate(
        SECTION,
        "parse floor: pysam.VariantFile iteration",
        pysam_rate,
        "records/s",
        note=f"{len(floor_paths)} files per run",
    )
    figures = [
        parse_floor,
        Figure.of_rate(
            SECTION,
            "parse to call documents: read_vcf",
            ours,
            "records/s",
            floor=parse_floor,
            note=f"{scope}; compiled record scanner, as the worker runs it",
        ),
        Figure.of_rate(
            SECTION,
            "parse to call documents: reference Python path",
            reference,
            "records/s",
            floor=parse_floor,
            note=f"{scope}; read_vcf(compiled=False), the compiled scanner's reference",
        ),
    ]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3600)) as session:
        ingest_url = context.service_url("ingest")
        assert ingest_url is not None, "the runner starts the ingest service"
        client = IngestClient(session, ingest_url, context.stack.admin_token)
        await client.load_sample_table(context.dataset_id, context.cohort.sample_table.read_text())
        outcomes = await _through_the_queue(context, client, rows, store)
    done = sum(outcome.files for outcome in outcomes)
    bulk = None
    if done < len(rows):
        bulk = await _bulk_load(context, rows[done:], paths[done:])
        await store.run_once()
    store_floor = store.figure()
    figures += [store_floor, *_queue_figures(context, outcomes, rows, store_floor)]
    if bulk is not None:
        figures.append(replace(bulk, floor=store_floor.key))
    context.facts["cohort_loaded"] = True
    return figures


def batch_size(files: int) -> int:
    """At least MIN_BATCHES batches (a median needs several), at most MAX_BATCH_FILES files."""
    return max(1, min(MAX_BATCH_FILES, math.ceil(files / MIN_BATCHES)))


async def _through_the_queue(
    context: BenchContext, client: IngestClient, rows: list[dict[str, str]], store: StoreFloor
) -> list[BatchOutcome]:
    size = batch_size(len(rows))
    budget = context.options.e2e_budget_s
    outcomes: list[BatchOutcome] = []
    started = time.perf_counter()
    for first in range(0, len(rows), size):
        chunk = rows[first : first + size]
        await store.run_once()
        outcome = await client.run_batch(
            context.dataset_id, manifest_text(MANIFEST_HEADER, chunk), len(chunk)
        )
        outcomes.append(outcome)
        remaining = len(rows) - first - len(chunk)
        projected = remaining * outcome.seconds / outcome.files
        elapsed = time.perf_counter() - started
        if remaining and len(outcomes) >= MIN_BATCHES and elapsed + projected > budget:
            context.facts["queue_stopped_early"] = {
                "files_done": first + len(chunk),
                "elapsed_s": elapsed,
                "projected_remaining_s": projected,
            }
            break
    return outcomes


def _queue_figures(
    context: BenchContext,
    outcomes: list[BatchOutcome],
    rows: list[dict[str, str]],
    store_floor: Figure,
) -> list[Figure]:
    rates = [outcome.calls_stored / outcome.seconds for outcome in outcomes]
    files = sum(outcome.files for outcome in outcomes)
    expected = sum(int(row["calls"]) for row in rows[:files])
    stored = sum(outcome.calls_stored for outcome in outcomes)
    failed = sum(outcome.failed for outcome in outcomes)
    seconds = sum(outcome.seconds for outcome in outcomes)
    notes = [
        f"{len(outcomes)} batches, {files:,} files, {stored:,} calls in {seconds:,.0f} s",
        f"first batch {rates[0]:,.0f}/s, last {rates[-1]:,.0f}/s",
    ]
    if stored != expected:
        notes.append(f"STORED {stored:,} BUT THE FILES HAVE {expected:,} CALLS")
    if failed:
        notes.append(f"{failed} JOBS FAILED, e.g. {outcomes[-1].first_error}")
    stopped: dict[str, Any] | None = context.facts.get("queue_stopped_early")
    if stopped:
        total_projected = stopped["elapsed_s"] + stopped["projected_remaining_s"]
        notes.append(
            f"stopped at the {context.options.e2e_budget_s:,.0f} s budget; whole cohort "
            f"projected {total_projected / 3600:,.1f} h at the last batch's pace"
        )
    workers = context.options.workers
    return [
        Figure(
            SECTION,
            f"end to end through the queue, {workers} worker(s)",
            statistics.median(rates),
            "docs/s",
            floor=store_floor.key,
            runs=len(rates),
            spread=(min(rates), max(rates)),
            note="; ".join(notes),
            details={
                "batches": [
                    {
                        "files": o.files,
                        "calls": o.calls_stored,
                        "seconds": o.seconds,
                        "failed": o.failed,
                    }
                    for o in outcomes
                ]
            },
        ),
        Figure(
            SECTION,
            "end to end: seconds per file (median batch)",
            statistics.median(o.seconds / o.files for o in outcomes),
            "s/file",
            better=Better.LOWER,
            runs=len(outcomes),
        ),
    ]


async def _bulk_load(
    context: BenchContext, rows: list[dict[str, str]], paths: list[Path]
) -> Figure:
    """Parser + ingest writer without the queue, for the files the queue did not get."""
    db = context.db
    started = time.perf_counter()
    pending: list[Document] = []
    stored = 0
    for path, row in zip(paths, rows, strict=True):
        documents = await asyncio.to_thread(
            parse_documents, [path], [row], context.dataset_id, "bench-bulk-load"
        )
        pending.extend(documents)
        if len(pending) >= INSERT_BATCH:
            stored += await call_writer.insert_calls(db, context.dataset_id, pending)
            pending = []
    if pending:
        stored += await call_writer.insert_calls(db, context.dataset_id, pending)
    await call_writer.touch_dataset(db, context.dataset_id, ASSEMBLY, synthetic=True)
    seconds = time.perf_counter() - started
    return Figure(
        SECTION,
        "bulk load of the rest: read_vcf + ingest writer",
        stored / seconds,
        "docs/s",
        note=f"one pass over the {len(rows):,} files the queue did not get ({stored:,} calls)",
    )
