"""Reading what an analysis needs: the dataset's version and whether it is changing (from
the store), and its calls and biosamples (from the read model's export of one snapshot)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cnvbeacon.query.analyses.cohort import SampleAttributes
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genome import genome
from cnvbeacon.query.read_model import CALLS_FILE, SAMPLES_FILE
from cnvbeacon.shared.models import JobState
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import DATASETS, JOBS

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


def read_exported(directory: Path, assembly: str) -> StoredCalls:
    """The calls and biosamples a read model exported (ReadModel.export_dataset), as the
    columns an analysis needs; biosample ids become sample numbers."""
    started = time.perf_counter()
    table = pq.read_table(directory / CALLS_FILE)
    chromosomes = genome(assembly).chromosomes
    chrom_index = pc.index_in(table["chrom"], value_set=pa.array(chromosomes, pa.string()))
    biosamples = pc.dictionary_encode(table["biosample_id"]).combine_chunks()
    variant = np.zeros(table.num_rows, dtype=np.int8)
    variant_type = table["variant_type"]
    for name, value in _VARIANT.items():
        variant[pc.equal(variant_type, name).to_numpy(zero_copy_only=False)] = value
    columns: Table = {
        "chrom": chrom_index.to_numpy(zero_copy_only=False).astype(np.int16),
        "start": table["start"].to_numpy().astype(np.int64),
        "end": table["end"].to_numpy().astype(np.int64),
        "sample": biosamples.indices.to_numpy(zero_copy_only=False).astype(np.int32),
        "variant": variant,
        "copy_number": pc.fill_null(table["copy_number"].cast(pa.float64()), np.nan)
        .to_numpy()
        .astype(np.float64),
        "is_pass": table["is_pass"].to_numpy(zero_copy_only=False).astype(bool),
    }
    sample_ids = [str(v) for v in biosamples.dictionary.to_pylist()]
    return StoredCalls(columns, sample_ids, time.perf_counter() - started)


def exported_attributes(directory: Path) -> dict[str, SampleAttributes]:
    """Biosample id -> sex and populations, from a read model's export."""
    rows = pq.read_table(directory / SAMPLES_FILE).to_pylist()
    return {
        str(row["biosample_id"]): SampleAttributes(
            row.get("sex"), row.get("population"), row.get("superpopulation")
        )
        for row in rows
    }
