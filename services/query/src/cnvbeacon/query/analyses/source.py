"""Reading what an analysis needs from the store: the dataset's version, whether it is
changing, its individuals, and its calls (streamed, only the fields used)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from pymongo.asynchronous.cursor import AsyncCursor

from cnvbeacon.query.analyses.cohort import SampleAttributes
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import genome
from cnvbeacon.shared.models import JobState
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS, DATASETS, INDIVIDUALS, JOBS

# Large batches: reading a dataset is one long stream, round trips are pure overhead.
READ_BATCH: Final = 20_000
# Start windows of the range scans (~6k calls of the densest length class at 2M calls).
READ_WINDOW: Final = 20_000_000
# Two scans in flight: the store works on one while this process decodes the other.
READS_IN_FLIGHT: Final = 2
_PROJECTION: Final = {
    "_id": 0,
    "start": 1,
    "end": 1,
    "variant_type": 1,
    "copy_number": 1,
    "is_pass": 1,
    "biosample_id": 1,
}
_VARIANT: Final = {"DEL": -1, "DUP": 1}


@dataclass(frozen=True, slots=True)
class DatasetVersion:
    dataset_id: str
    assembly: str
    data_version: int


@dataclass(frozen=True, slots=True)
class StoredCalls:
    columns: Table  # chrom, start, end, sample, variant, copy_number, is_pass
    sample_ids: list[str]
    seconds: float


async def dataset_version(db: Database, dataset_id: str) -> DatasetVersion | None:
    document = await db[DATASETS].find_one({"_id": dataset_id}, {"assembly": 1, "data_version": 1})
    if document is None:
        return None
    return DatasetVersion(
        dataset_id, str(document.get("assembly") or ""), int(document.get("data_version", 0))
    )


async def dataset_versions(db: Database) -> list[DatasetVersion]:
    cursor = db[DATASETS].find({}, {"assembly": 1, "data_version": 1}).sort("_id", 1)
    return [
        DatasetVersion(d["_id"], str(d.get("assembly") or ""), int(d.get("data_version", 0)))
        async for d in cursor
    ]


async def job_running(db: Database, dataset_id: str) -> bool:
    """Is an ingest job of the dataset writing calls now (before its version bump)?"""
    cursor = db[JOBS].find({"state": JobState.RUNNING.value}, {"dataset_id": 1})
    return any([job.get("dataset_id") == dataset_id async for job in cursor])


async def sample_attributes(db: Database, dataset_id: str) -> dict[str, SampleAttributes]:
    """Biosample id -> sex and populations of its registered individual."""
    found: dict[str, SampleAttributes] = {}
    cursor = db[INDIVIDUALS].find(
        {"dataset_id": dataset_id},
        {"individual_id": 1, "biosample_ids": 1, "sex": 1, "population": 1, "superpopulation": 1},
    )
    async for document in cursor:
        attributes = SampleAttributes(
            document.get("sex"), document.get("population"), document.get("superpopulation")
        )
        for biosample in document.get("biosample_ids") or [document["individual_id"]]:
            found[biosample] = attributes
    return found


async def read_calls(db: Database, dataset_id: str, assembly: str) -> StoredCalls:
    """Every call of the dataset on the analysed chromosomes, as columns.

    Read as many small index range scans {dataset_id, chrom, length_class, start range},
    READS_IN_FLIGHT at a time: SecantusDB materialises every document a query matches
    before the first batch (a plain {dataset_id} query over 2M calls took >12 GB), and
    this shape bounds each query to one start window of one length class.
    """
    started = time.perf_counter()
    reader = _ColumnReader()
    queries = await range_queries(db, dataset_id, assembly)
    limit = asyncio.Semaphore(READS_IN_FLIGHT)

    async def read(chrom_index: int, query: dict[str, Any]) -> None:
        async with limit:
            cursor = db[CALLS].find(query, _PROJECTION).batch_size(READ_BATCH)
            async for batch in _batches(cursor):
                reader.add(chrom_index, batch)

    await asyncio.gather(*(read(index, query) for index, query in queries))
    return StoredCalls(reader.columns(), list(reader.sample_index), time.perf_counter() - started)


async def range_queries(
    db: Database, dataset_id: str, assembly: str
) -> list[tuple[int, dict[str, Any]]]:
    """(chromosome index, filter) of every scan that together read the dataset's calls on
    the analysed chromosomes once: one per length class present and start window."""
    the_genome = genome(assembly)
    queries: list[tuple[int, dict[str, Any]]] = []
    for index, (chrom, length) in enumerate(
        zip(the_genome.chromosomes, the_genome.lengths, strict=True)
    ):
        maxima = (await length_classes.maxima_for(db, [dataset_id], chrom)).get(dataset_id, {})
        for length_class in sorted(maxima):
            for window in range(0, length, READ_WINDOW):
                last = window + READ_WINDOW >= length
                start = {"$gte": window} if last else {"$gte": window, "$lt": window + READ_WINDOW}
                query = {
                    "dataset_id": dataset_id,
                    "chrom": chrom,
                    "length_class": length_class,
                    "start": start,
                }
                queries.append((index, query))
    return queries


async def _batches(cursor: AsyncCursor[Document]) -> AsyncIterator[list[Document]]:
    while batch := await cursor.to_list(READ_BATCH):
        yield batch


class _ColumnReader:
    """Collects calls into column lists; biosample ids become sample numbers."""

    def __init__(self) -> None:
        self.sample_index: dict[str, int] = {}
        self.chrom: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.sample: list[int] = []
        self.variant: list[int] = []
        self.copy_number: list[float] = []
        self.is_pass: list[bool] = []

    def add(self, chrom_index: int, calls: list[Document]) -> None:
        # One comprehension per field: several times faster than appending call by call.
        sample_index = self.sample_index
        for biosample in {call["biosample_id"] for call in calls} - sample_index.keys():
            sample_index[biosample] = len(sample_index)
        self.chrom.extend([chrom_index] * len(calls))
        self.start.extend([call["start"] for call in calls])
        self.end.extend([call["end"] for call in calls])
        self.sample.extend([sample_index[call["biosample_id"]] for call in calls])
        self.variant.extend([_VARIANT.get(call["variant_type"], 0) for call in calls])
        self.copy_number.extend(
            [np.nan if (v := call.get("copy_number")) is None else v for call in calls]
        )
        self.is_pass.extend([bool(call.get("is_pass")) for call in calls])

    def columns(self) -> Table:
        return {
            "chrom": np.array(self.chrom, dtype=np.int16),
            "start": np.array(self.start, dtype=np.int64),
            "end": np.array(self.end, dtype=np.int64),
            "sample": np.array(self.sample, dtype=np.int32),
            "variant": np.array(self.variant, dtype=np.int8),
            "copy_number": np.array(self.copy_number, dtype=np.float64),
            "is_pass": np.array(self.is_pass, dtype=bool),
        }
