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


async def raise_maxima(
    db: Database, dataset_id: str, maxima: Mapping[tuple[str, int], int]
) -> None:
    """Raise the stored maxima to at least the given lengths per (chrom, length class).

    Reads first and writes only the maxima that grow: after the first files of a dataset
    almost none do, and a read of ~100 small documents costs far less than ~100 upserts per
    batch of calls. Maxima never decrease, so skipping on a stored value that is already
    large enough stays right under concurrent writers.
    """
    if not maxima:
        return
    wanted = {
        _key(dataset_id, chrom, length_class): length
        for (chrom, length_class), length in maxima.items()
    }
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
    if not growing:
        return
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


async def maxima_for(
    db: Database, dataset_ids: Iterable[str], chrom: str
) -> dict[str, dict[int, int]]:
    """{dataset_id: {length_class: max_length}} for one chromosome."""
    ids = [_key(d, chrom, c) for d in dataset_ids for c in range(10)]
    found: dict[str, dict[int, int]] = {}
    async for doc in db[LENGTH_CLASS_MAX].find({"_id": {"$in": ids}}):
        found.setdefault(doc["dataset_id"], {})[doc["length_class"]] = doc["max_length"]
    return found
