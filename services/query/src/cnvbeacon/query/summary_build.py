"""Building a dataset's summary from its stored calls (one pass over them).

The pass reads every call of the dataset on its assembly's chromosomes (~20k calls/s on
SecantusDB: about 100 s for 2M calls), in bounded index range scans, in the background.
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
    FILTER_SEPARATOR,
    FLOAT_FIELDS,
    TEXT_FIELDS,
    ChromColumns,
    DatasetSummary,
    TextColumn,
    Vocabulary,
    fits_packed_keys,
)
from cnvbeacon.query.variants import VARIANT_TYPES
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
        *FLOAT_FIELDS,
        *CODED_FIELDS,
        *TEXT_FIELDS,
    ),
    1,
)
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
        self.floats = {name: array("d") for name in FLOAT_FIELDS}
        self.codes = {field: array("i") for field in CODED_FIELDS}
        self.texts: dict[str, list[str | None]] = {name: [] for name in TEXT_FIELDS}

    def finish(self) -> ChromColumns:
        start = np.frombuffer(self.start, dtype=np.int64)
        end = np.frombuffer(self.end, dtype=np.int64)
        # Byte order of UTF-8 is code point order, so this sorts ids as Python compares them.
        ids = np.array([str(i).encode() for i in self.texts["_id"]], dtype=bytes)
        order = np.lexsort((ids, end, start))
        length = np.frombuffer(self.length, dtype=np.int64)[order]
        floats = {n: np.frombuffer(a, dtype=np.float64)[order] for n, a in self.floats.items()}
        listed = order.tolist()
        return ChromColumns(
            start=start[order],
            end=end[order],
            length=length,
            length_class=np.frombuffer(self.length_class, dtype=np.int8)[order],
            variant_type=np.frombuffer(self.variant_type, dtype=np.int32)[order],
            is_pass=np.frombuffer(self.is_pass, dtype=np.int8)[order].astype(np.bool_),
            copy_number=floats["copy_number"],
            copy_ratio=floats["copy_ratio"],
            quality=floats["quality"],
            codes={f: np.frombuffer(c, dtype=np.int32)[order] for f, c in self.codes.items()},
            texts={n: TextColumn.of([v[i] for i in listed]) for n, v in self.texts.items()},
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


def coded_value(call: Document, field: str) -> str | None:
    value = call.get(field)
    if field == "filters" and value is not None:
        return FILTER_SEPARATOR.join(value)
    return value


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
        for name, floats in chrom.floats.items():
            value = call.get(name)
            floats.append(np.nan if value is None else value)
        for field, coder in coders.items():
            chrom.codes[field].append(coder.code(coded_value(call, field)))
        for name, texts in chrom.texts.items():
            texts.append(call.get(name))
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
