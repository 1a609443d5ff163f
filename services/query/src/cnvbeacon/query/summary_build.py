"""Building a dataset's count summary from its stored calls (one pass over them).

The pass reads every call of the dataset on its assembly's chromosomes (~25k calls/s on
SecantusDB: about 80 s for 2M calls), in bounded index range scans, in the background.
A build is thrown away when the dataset changed while it ran (data_version bumped, or a
job started), because the columns would then mix two states of the data.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np

from cnvbeacon.query.datasets import calls_may_have_changed, read_datasets
from cnvbeacon.query.summary import (
    CODED_FIELDS,
    VARIANT_TYPES,
    ChromColumns,
    DatasetSummary,
    Vocabulary,
    fits_packed_keys,
)
from cnvbeacon.shared.reference.chromosomes import chromosome_length, chromosomes
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS

log = logging.getLogger(__name__)

_PROJECTION: Final = dict.fromkeys(
    (
        "chrom",
        "start",
        "end",
        "length",
        "length_class",
        "variant_type",
        "is_pass",
        "copy_number",
        *CODED_FIELDS,
    ),
    1,
) | {"_id": 0}
_READ_BATCH: Final = 5000
_START_STEP: Final = 10_000_000
# Clocks of the query service and the ingest workers may differ by this much.
CLOCK_MARGIN: Final = timedelta(seconds=60)


class _ChromBuilder:
    """Columns being read, as typed arrays (8 bytes a value, not a Python object each)."""

    def __init__(self) -> None:
        self.start = array("q")
        self.end = array("q")
        self.length = array("q")
        self.length_class = array("b")
        self.variant_type = array("i")
        self.is_pass = array("b")
        self.copy_number = array("d")
        self.codes = {field: array("i") for field in CODED_FIELDS}

    def finish(self) -> ChromColumns:
        start = np.frombuffer(self.start, dtype=np.int64)
        end = np.frombuffer(self.end, dtype=np.int64)
        order = np.lexsort((end, start))
        length = np.frombuffer(self.length, dtype=np.int64)[order]
        return ChromColumns(
            start=start[order],
            end=end[order],
            length=length,
            length_class=np.frombuffer(self.length_class, dtype=np.int8)[order],
            variant_type=np.frombuffer(self.variant_type, dtype=np.int32)[order],
            is_pass=np.frombuffer(self.is_pass, dtype=np.int8)[order].astype(np.bool_),
            copy_number=np.frombuffer(self.copy_number, dtype=np.float64)[order],
            codes={f: np.frombuffer(c, dtype=np.int32)[order] for f, c in self.codes.items()},
            longest=int(length.max()) if len(length) else 0,
        )


class _Coder:
    def __init__(self) -> None:
        self.codes: dict[str | None, int] = {None: 0}

    def code(self, value: Any) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.codes)
        return found

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(tuple(self.codes))


async def _calls(db: Database, dataset_id: str, assembly: str) -> AsyncIterator[Document]:
    """Every call of the dataset on the assembly's chromosomes, read in bounded index range
    scans (one cursor over a whole dataset makes SecantusDB hold all of it in memory)."""
    for chrom in chromosomes(assembly):
        maxima = (await length_classes.maxima_for(db, [dataset_id], chrom)).get(dataset_id, {})
        for length_class in sorted(maxima):
            for low in range(0, chromosome_length(chrom, assembly), _START_STEP):
                query = {
                    "dataset_id": dataset_id,
                    "chrom": chrom,
                    "length_class": length_class,
                    "start": {"$gte": low, "$lt": low + _START_STEP},
                }
                cursor = db[CALLS].find(query, _PROJECTION).batch_size(_READ_BATCH)
                async for call in cursor:
                    yield call


async def build_summary(db: Database, dataset_id: str) -> DatasetSummary | None:
    """The dataset's summary, or None if its calls changed while it was read."""
    datasets = await read_datasets(db)
    if dataset_id not in datasets:
        return None
    version = datasets[dataset_id].data_version
    read_from = datetime.now(UTC) - CLOCK_MARGIN
    read_from = read_from.replace(microsecond=read_from.microsecond // 1000 * 1000)  # as BSON
    if await calls_may_have_changed(db, [dataset_id], read_from):
        return None
    started = time.perf_counter()
    types = {name: code for code, name in enumerate(VARIANT_TYPES)}
    coders = {field: _Coder() for field in CODED_FIELDS}
    chroms: dict[str, _ChromBuilder] = {}
    assembly = datasets[dataset_id].assembly
    async for call in _calls(db, dataset_id, assembly):
        chrom = chroms.get(call["chrom"])
        if chrom is None:
            chrom = chroms[call["chrom"]] = _ChromBuilder()
        chrom.start.append(call["start"])
        chrom.end.append(call["end"])
        chrom.length.append(call["length"])
        chrom.length_class.append(call["length_class"])
        chrom.variant_type.append(types[call["variant_type"]])
        chrom.is_pass.append(1 if call["is_pass"] else 0)
        copy_number = call.get("copy_number")
        chrom.copy_number.append(np.nan if copy_number is None else copy_number)
        for field, coder in coders.items():
            chrom.codes[field].append(coder.code(call.get(field)))
    after = await read_datasets(db)
    if (
        dataset_id not in after
        or after[dataset_id].data_version != version
        or await calls_may_have_changed(db, [dataset_id], read_from)
    ):
        log.info("dataset changed while summarising; will retry", extra={"dataset": dataset_id})
        return None
    columns = {name: builder.finish() for name, builder in chroms.items()}
    if not all(fits_packed_keys(int(c.end.max())) for c in columns.values() if len(c)):
        log.warning("calls end past 2**30; counting by scans", extra={"dataset": dataset_id})
        return None
    summary = DatasetSummary(
        dataset_id,
        version,
        read_from,
        columns,
        {field: coder.vocabulary() for field, coder in coders.items()},
    )
    log.info(
        "summarised dataset",
        extra={
            "dataset": dataset_id,
            "calls": summary.calls,
            "data_version": version,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    return summary
