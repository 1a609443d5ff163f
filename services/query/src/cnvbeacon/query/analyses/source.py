"""Reading what an analysis needs from the store: the dataset's version, whether it is
changing, its individuals, and its calls (streamed, only the fields used)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import numpy as np

from cnvbeacon.query.analyses.cohort import SampleAttributes
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import genome
from cnvbeacon.shared.models import JobState
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, DATASETS, INDIVIDUALS, JOBS

# Large batches: reading a dataset is one long stream, round trips are pure overhead.
READ_BATCH: Final = 20_000
_PROJECTION: Final = {
    "_id": 0,
    "chrom": 1,
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
    """Every call of the dataset on the analysed chromosomes, as columns."""
    started = time.perf_counter()
    chromosome_index = {c: i for i, c in enumerate(genome(assembly).chromosomes)}
    sample_index: dict[str, int] = {}
    chrom: list[int] = []
    start: list[int] = []
    end: list[int] = []
    sample: list[int] = []
    variant: list[int] = []
    copy_number: list[float] = []
    is_pass: list[bool] = []
    cursor = db[CALLS].find({"dataset_id": dataset_id}, _PROJECTION).batch_size(READ_BATCH)
    async for call in cursor:
        index = chromosome_index.get(call["chrom"])
        if index is None:
            continue
        chrom.append(index)
        start.append(call["start"])
        end.append(call["end"])
        biosample = call["biosample_id"]
        code = sample_index.get(biosample)
        if code is None:
            code = sample_index[biosample] = len(sample_index)
        sample.append(code)
        variant.append(_VARIANT.get(call["variant_type"], 0))
        value = call.get("copy_number")
        copy_number.append(np.nan if value is None else value)
        is_pass.append(bool(call.get("is_pass")))
    columns: Table = {
        "chrom": np.array(chrom, dtype=np.int16),
        "start": np.array(start, dtype=np.int64),
        "end": np.array(end, dtype=np.int64),
        "sample": np.array(sample, dtype=np.int32),
        "variant": np.array(variant, dtype=np.int8),
        "copy_number": np.array(copy_number, dtype=np.float64),
        "is_pass": np.array(is_pass, dtype=bool),
    }
    return StoredCalls(columns, list(sample_index), time.perf_counter() - started)
