"""Datasets and whether their calls are changing: database access for datasets and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cnvbeacon.shared.models import JobState
from cnvbeacon.shared.store.changes import WITHOUT_CHANGES
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import DATASETS, JOBS


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    id: str
    assembly: str
    data_version: int
    document: Document


async def read_datasets(db: Database) -> dict[str, DatasetInfo]:
    """Every dataset by id, in id order (a handful of small documents)."""
    found: dict[str, DatasetInfo] = {}
    async for document in db[DATASETS].find({}, WITHOUT_CHANGES).sort("_id", 1):
        found[document["_id"]] = DatasetInfo(
            document["_id"],
            document.get("assembly", ""),
            int(document.get("data_version", 0)),
            document,
        )
    return found


async def jobs_started_since(db: Database, dataset_ids: list[str], since: datetime) -> bool:
    """True if a job of these datasets has started since `since` (the jobs index
    {dataset_id, started_at})."""
    for dataset_id in dataset_ids:
        started = await db[JOBS].find_one(
            {"dataset_id": dataset_id, "started_at": {"$gte": since}}, {"_id": 1}
        )
        if started is not None:
            return True
    return False


async def calls_may_have_changed(db: Database, dataset_ids: list[str], since: datetime) -> bool:
    """True if a job of these datasets is running or has started since `since`: its calls
    may be written (even partly, if it then failed) without a data_version bump yet."""
    async for job in db[JOBS].find({"state": JobState.RUNNING.value}, {"dataset_id": 1}):
        if job.get("dataset_id") in dataset_ids:
            return True
    return await jobs_started_since(db, dataset_ids, since)
