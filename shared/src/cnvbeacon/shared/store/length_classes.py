"""The longest call of each (dataset, chromosome, length class), kept for overlap queries.

Writers raise the maximum *before* inserting the calls it covers, so a concurrent
overlap query never computes a search window too short for a visible call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import UpdateOne

from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import LENGTH_CLASS_MAX


def _key(dataset_id: str, chrom: str, length_class: int) -> str:
    return f"{dataset_id}|{chrom}|{length_class}"


class KnownMaxima:
    """Lower bounds of the stored maxima that one writer has read or written itself.

    Stored maxima never decrease, so a batch of calls no longer than these bounds needs
    neither a read nor a write; after a dataset's first files almost every batch is such
    a batch. (The read it saves, ~60 keys by `_id`, cost SecantusDB ~12 ms per file.)
    """

    def __init__(self) -> None:
        self._lengths: dict[str, int] = {}

    def covers(self, wanted: Mapping[str, int]) -> bool:
        return all(length <= self._lengths.get(key, -1) for key, length in wanted.items())

    def learn(self, stored: Mapping[str, int]) -> None:
        for key, length in stored.items():
            if length > self._lengths.get(key, -1):
                self._lengths[key] = length


async def raise_maxima(
    db: Database,
    dataset_id: str,
    maxima: Mapping[tuple[str, int], int],
    known: KnownMaxima | None = None,
) -> None:
    """Raise the stored maxima to at least the given lengths per (chrom, length class).

    Reads first and writes only the maxima that grow: after the first files of a dataset
    almost none do, and a read of ~100 small documents costs far less than ~100 upserts per
    batch of calls. Maxima never decrease, so skipping on a stored value that is already
    large enough stays right under concurrent writers; ``known`` (a writer's memory of
    earlier batches) skips the read too when it already covers the batch.
    """
    if not maxima:
        return
    wanted = {
        _key(dataset_id, chrom, length_class): length
        for (chrom, length_class), length in maxima.items()
    }
    if known is not None and known.covers(wanted):
        return
    stored = {
        doc["_id"]: doc["max_length"]
        async for doc in db[LENGTH_CLASS_MAX].find(
            {"_id": {"$in": list(wanted)}}, {"max_length": 1}
        )
    }
    growing = [
        (chrom, length_class, length)
        for (chrom, length_class), length in maxima.items()
        if length > stored.get(_key(dataset_id, chrom, length_class), 0)
    ]
    if growing:
        await db[LENGTH_CLASS_MAX].bulk_write(
            [
                UpdateOne(
                    {"_id": _key(dataset_id, chrom, length_class)},
                    {
                        "$max": {"max_length": length},
                        "$setOnInsert": {
                            "dataset_id": dataset_id,
                            "chrom": chrom,
                            "length_class": length_class,
                        },
                    },
                    upsert=True,
                )
                for chrom, length_class, length in growing
            ],
            ordered=False,
        )
    if known is not None:
        known.learn(stored)
        known.learn(wanted)


async def maxima_for(
    db: Database, dataset_ids: Iterable[str], chrom: str
) -> dict[str, dict[int, int]]:
    """{dataset_id: {length_class: max_length}} for one chromosome."""
    ids = [_key(d, chrom, c) for d in dataset_ids for c in range(10)]
    found: dict[str, dict[int, int]] = {}
    async for doc in db[LENGTH_CLASS_MAX].find({"_id": {"$in": ids}}):
        found.setdefault(doc["dataset_id"], {})[doc["length_class"]] = doc["max_length"]
    return found


async def maxima_of_dataset(db: Database, dataset_id: str) -> dict[str, dict[int, int]]:
    """{chrom: {length_class: max_length}} of every chromosome or contig of the dataset."""
    # Keys are "<dataset>|<chrom>|<class>" (see _key): the dataset's are one _id range.
    prefix, after = f"{dataset_id}|", f"{dataset_id}" + chr(ord("|") + 1)
    found: dict[str, dict[int, int]] = {}
    async for doc in db[LENGTH_CLASS_MAX].find({"_id": {"$gte": prefix, "$lt": after}}):
        if doc.get("dataset_id") == dataset_id:
            found.setdefault(doc["chrom"], {})[doc["length_class"]] = doc["max_length"]
    return found
