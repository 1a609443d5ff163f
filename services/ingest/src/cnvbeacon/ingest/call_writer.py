"""Writing a job's calls: idempotent bulk inserts and replacement of a biosample's older calls."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError

from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, DATASETS, INDIVIDUALS

DUPLICATE_KEY = 11000
DELETE_CHUNK = 5000


async def insert_calls(db: Database, dataset_id: str, calls: Sequence[dict[str, Any]]) -> int:
    """Insert a batch; calls already stored (same deterministic id) are left as they are.

    Returns how many were new. Call ids are derived from the file's digest and line, so
    a retried job or a resubmitted file inserts nothing twice.
    """
    if not calls:
        return 0
    maxima: dict[tuple[str, int], int] = {}
    for call in calls:
        key = (call["chrom"], call["length_class"])
        if call["length"] > maxima.get(key, 0):
            maxima[key] = call["length"]
    await length_classes.raise_maxima(db, dataset_id, maxima)
    try:
        result = await db[CALLS].insert_many(calls, ordered=False)
    except BulkWriteError as error:
        details = error.details
        real_errors = [e for e in details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
        if real_errors or details.get("writeConcernErrors"):
            raise
        return int(details.get("nInserted", 0))
    return len(result.inserted_ids)


async def remove_superseded(
    db: Database, dataset_id: str, biosample_ids: Collection[str], file_digest: str
) -> int:
    """Delete calls of these biosamples that came from other files: a new file replaces them.

    The digest is compared here, not in the filter: `file_digest: {$ne}` makes SecantusDB
    scan the whole collection (measured: every job paid a full scan), while equality on
    (dataset_id, biosample_id) is an index scan of just these biosamples' calls.
    """
    if not biosample_ids:
        return 0
    cursor = db[CALLS].find(
        {"dataset_id": dataset_id, "biosample_id": {"$in": list(biosample_ids)}},
        {"file_digest": 1},
    )
    stale = [call["_id"] async for call in cursor if call["file_digest"] != file_digest]
    deleted = 0
    for offset in range(0, len(stale), DELETE_CHUNK):
        result = await db[CALLS].delete_many(
            {"_id": {"$in": stale[offset : offset + DELETE_CHUNK]}}
        )
        deleted += result.deleted_count
    return deleted


async def touch_dataset(db: Database, dataset_id: str, assembly: str) -> None:
    """Create the dataset on first use and bump its data version (derived results go stale)."""
    now = datetime.now(UTC)
    await db[DATASETS].update_one(
        {"_id": dataset_id},
        {
            "$setOnInsert": {
                "name": dataset_id,
                "description": "",
                "assembly": assembly,
                "synthetic": False,
                "created_at": now,
            },
            "$set": {"updated_at": now},
            "$inc": {"data_version": 1},
        },
        upsert=True,
    )


async def upsert_individuals(db: Database, dataset_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Store individuals (rows with individual_id, biosample_ids, sex, population, ...) and
    copy their attributes onto any calls already stored for them."""
    if not rows:
        return
    await db[INDIVIDUALS].bulk_write(
        [
            UpdateOne(
                {"_id": f"{dataset_id}:{row['individual_id']}"},
                {
                    "$set": {
                        **row,
                        "dataset_id": dataset_id,
                        "biosample_ids": row.get("biosample_ids") or [row["individual_id"]],
                    }
                },
                upsert=True,
            )
            for row in rows
        ],
        ordered=False,
    )
    await _copy_attributes_to_calls(db, dataset_id, rows)
    # Calls now carry new attributes: results derived from them (count summaries filtered by
    # sex or population, analyses) must see that they are stale.
    await db[DATASETS].update_one(
        {"_id": dataset_id},
        {"$inc": {"data_version": 1}, "$set": {"updated_at": datetime.now(UTC)}},
    )


async def apply_individual_attributes(
    db: Database, dataset_id: str, biosample_ids: Collection[str]
) -> None:
    """Give newly stored calls the attributes of individuals that were loaded before them."""
    if not biosample_ids:
        return
    rows = [
        row
        async for row in db[INDIVIDUALS].find(
            {"dataset_id": dataset_id, "biosample_ids": {"$in": list(biosample_ids)}}
        )
    ]
    await _copy_attributes_to_calls(db, dataset_id, rows)


async def _copy_attributes_to_calls(
    db: Database, dataset_id: str, rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    await db[CALLS].bulk_write(
        [
            UpdateMany(
                {
                    "dataset_id": dataset_id,
                    "biosample_id": {"$in": row.get("biosample_ids") or [row["individual_id"]]},
                },
                {
                    "$set": {
                        "individual_id": row["individual_id"],
                        "sex": row.get("sex"),
                        "population": row.get("population"),
                        "superpopulation": row.get("superpopulation"),
                    }
                },
            )
            for row in rows
        ],
        ordered=False,
    )
