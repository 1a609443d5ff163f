"""Reading what the read model holds from the store (the system of record): calls and
registered individuals.

A job's calls are read through the `biosample` index (dataset, biosample, file digest:
equality on all three); a whole dataset in bounded range scans of the `overlap` index (one
chromosome, length class and start window each), because a single cursor over a whole
dataset makes some stores hold all of it in memory. Whole documents are read: the few
stored fields left out here (provenance such as the source file) are not worth a
projection the store must apply to every document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Any, Final

import pyarrow as pa

from cnvbeacon.query.read_model.schema import (
    CALL_COLUMNS,
    INDIVIDUAL_COLUMNS,
    OTHER_CONTIG_RANK,
    SAMPLE_ATTRIBUTES,
)
from cnvbeacon.query.read_model.writes import INCOMING_SCHEMA
from cnvbeacon.shared.models import INDIVIDUAL_ATTRIBUTES
from cnvbeacon.shared.reference.chromosomes import chromosome_length, chromosomes
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS, INDIVIDUALS

READ_BATCH: Final = 10_000
START_WINDOW: Final = 20_000_000
_FIELDS: Final = tuple("_id" if c == "id" else c for c in CALL_COLUMNS) + SAMPLE_ATTRIBUTES


def chrom_ranks(assembly: str) -> dict[str, int]:
    try:
        names = chromosomes(assembly)
    except ValueError:
        names = []
    return {name: rank for rank, name in enumerate(names)}


def to_arrow(documents: Sequence[Document], ranks: Mapping[str, int]) -> pa.Table:
    """Stored call documents as a table of the read model's incoming calls."""
    columns: dict[str, list[Any]] = {
        ("id" if name == "_id" else name): [d.get(name) for d in documents] for name in _FIELDS
    }
    columns["chrom_rank"] = [ranks.get(chrom, OTHER_CONTIG_RANK) for chrom in columns["chrom"]]
    return pa.table(columns, schema=INCOMING_SCHEMA)


async def calls_of_files(
    db: Database, dataset_id: str, biosample_file: Mapping[str, str]
) -> list[Document]:
    """The stored calls of each biosample from its file (biosample id -> file digest)."""
    found: list[Document] = []
    for biosample_id, digest in sorted(biosample_file.items()):
        query = {"dataset_id": dataset_id, "biosample_id": biosample_id, "file_digest": digest}
        found.extend(await db[CALLS].find(query).to_list(None))
    return found


async def calls_of_dataset(
    db: Database, dataset_id: str, assembly: str
) -> AsyncIterator[list[Document]]:
    """Every stored call of the dataset, in batches of at most READ_BATCH."""
    maxima = await length_classes.maxima_of_dataset(db, dataset_id)
    ranks = chrom_ranks(assembly)
    for chrom in sorted(maxima, key=lambda c: (ranks.get(c, OTHER_CONTIG_RANK), c)):
        try:
            length = chromosome_length(chrom, assembly)
        except ValueError:  # a contig outside the reference: one window up to any start
            length = 0
        for length_class in sorted(maxima[chrom]):
            for low in range(0, max(length, 1), START_WINDOW):
                last = low + START_WINDOW >= length
                start = {"$gte": low} if last else {"$gte": low, "$lt": low + START_WINDOW}
                query = {
                    "dataset_id": dataset_id,
                    "chrom": chrom,
                    "length_class": length_class,
                    "start": start,
                }
                cursor = db[CALLS].find(query).batch_size(READ_BATCH)
                while batch := await cursor.to_list(READ_BATCH):
                    yield batch


async def registered_individuals(
    db: Database, dataset_id: str, biosample_ids: Collection[str] | None
) -> list[dict[str, Any]]:
    """The dataset's registered individuals of these biosamples (None: every one), as rows
    of the registry (INDIVIDUAL_COLUMNS; the values as stored)."""
    query: dict[str, Any] = {"dataset_id": dataset_id}
    if biosample_ids is not None:
        query["biosample_ids"] = {"$in": sorted(biosample_ids)}
    found = []
    async for document in db[INDIVIDUALS].find(query):
        row = {name: document.get("_id" if name == "id" else name) for name in INDIVIDUAL_COLUMNS}
        # An individual is its own biosample unless the store names others.
        row["biosample_ids"] = list(row["biosample_ids"] or [row["individual_id"]])
        found.append(row)
    return found


def attributes_of(
    individuals: Sequence[Mapping[str, Any]], biosample_ids: Collection[str] | None
) -> dict[str, dict[str, Any]]:
    """biosample id -> its individual's attributes (None: every biosample named)."""
    found: dict[str, dict[str, Any]] = {}
    for individual in individuals:
        for biosample_id in individual["biosample_ids"]:
            if biosample_ids is None or biosample_id in biosample_ids:
                found[biosample_id] = {name: individual[name] for name in INDIVIDUAL_ATTRIBUTES}
    return found
