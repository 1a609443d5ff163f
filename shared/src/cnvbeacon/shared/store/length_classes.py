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
    """Raise the stored maxima to at least the given lengths per (chrom, length class)."""
    if not maxima:
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
            for (chrom, length_class), length in maxima.items()
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
