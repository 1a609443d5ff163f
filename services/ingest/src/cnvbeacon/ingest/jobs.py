"""Job and batch documents: all database access for job state lives here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from cnvbeacon.shared.models import Job, JobCounts, JobError, JobState
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import BATCHES, JOBS


def new_job_id() -> str:
    return f"job-{uuid.uuid4().hex[:20]}"


def new_batch_id() -> str:
    return f"batch-{uuid.uuid4().hex[:16]}"


def _now() -> datetime:
    return datetime.now(UTC)


class JobStore:
    def __init__(self, db: Database) -> None:
        self._jobs = db[JOBS]
        self._batches = db[BATCHES]

    async def create(
        self,
        *,
        dataset_id: str,
        source: str,
        assembly: str | None = None,
        file_id: str | None = None,
        sample_id: str | None = None,
        sample_metadata: dict[str, Any] | None = None,
        batch_id: str | None = None,
        job_id: str | None = None,
    ) -> Job:
        job = Job(
            id=job_id or new_job_id(),
            batch_id=batch_id,
            dataset_id=dataset_id,
            assembly=assembly,
            source=source,
            file_id=file_id,
            sample_id=sample_id,
            created_at=_now(),
        )
        document = job.model_dump(by_alias=True, mode="python")
        document["sample_metadata"] = sample_metadata
        # Until the broker confirms the job's message: a job left so (its submitter died
        # in between) is published again by the reconciler.
        document["publish_pending"] = True
        await self._jobs.insert_one(document)
        return job

    async def mark_published(self, job_id: str) -> None:
        await self._jobs.update_one({"_id": job_id}, {"$set": {"publish_pending": False}})

    async def unpublished(self, older_than_s: float, limit: int = 1000) -> list[Job]:
        """Queued jobs whose message the broker never confirmed, created this long ago."""
        cursor = self._jobs.find(
            {
                "state": JobState.QUEUED.value,
                "created_at": {"$lt": _now() - timedelta(seconds=older_than_s)},
                "publish_pending": True,
            },
            {"sample_metadata": 0},
        ).limit(limit)
        return [Job.model_validate(d) async for d in cursor]

    async def referenced_files(self) -> set[str]:
        """The stored uploads some job names."""
        cursor = self._jobs.find({"file_id": {"$ne": None}}, {"file_id": 1})
        return {str(d["file_id"]) async for d in cursor if d.get("file_id")}

    async def create_batch(
        self,
        *,
        dataset_id: str,
        source: str,
        size: int,
        rows: list[dict[str, Any]] | None = None,
        batch_id: str | None = None,
    ) -> tuple[str, bool]:
        """Record a batch (with the rows its jobs are made from, when they are made later
        by batches.BatchCreator); returns (id, created): False when a batch of that id
        exists already."""
        batch_id = batch_id or new_batch_id()
        document: dict[str, Any] = {
            "_id": batch_id,
            "dataset_id": dataset_id,
            "source": source,
            "size": size,
            "created_at": _now(),
        }
        if rows is not None:
            document |= {"rows": rows, "jobs_created": 0, "lease_owner": None, "lease_until": None}
        try:
            await self._batches.insert_one(document)
        except DuplicateKeyError:
            return batch_id, False
        return batch_id, True

    async def claim_batch(self, batch_id: str, owner: str, lease_s: float) -> dict[str, Any] | None:
        """Take the lease on creating a batch's jobs (free, expired or ours); returns the
        batch, or None if another owner holds it or nothing is left to create."""
        now = _now()
        claimed = await self._batches.update_one(
            {
                "_id": batch_id,
                "rows": {"$exists": True},
                "$or": [
                    {"lease_owner": None},
                    {"lease_owner": owner},
                    {"lease_until": {"$lt": now}},
                ],
            },
            {"$set": {"lease_owner": owner, "lease_until": now + timedelta(seconds=lease_s)}},
        )
        if claimed.matched_count == 0:
            return None
        batch = await self._batches.find_one({"_id": batch_id})
        if batch is None or batch.get("lease_owner") != owner:
            return None
        return batch

    async def record_jobs_created(
        self, batch_id: str, owner: str, created: int, lease_s: float
    ) -> None:
        """Jobs of the batch's first `created` rows exist and are queued; the lease goes on."""
        await self._batches.update_one(
            {"_id": batch_id, "lease_owner": owner},
            {
                "$set": {
                    "jobs_created": created,
                    "lease_until": _now() + timedelta(seconds=lease_s),
                }
            },
        )

    async def release_batch(self, batch_id: str, owner: str, error: str | None = None) -> None:
        await self._batches.update_one(
            {"_id": batch_id, "lease_owner": owner},
            {"$set": {"lease_owner": None, "lease_until": None, "creation_error": error}},
        )

    async def batches_creating(self) -> list[str]:
        """Batches whose jobs are not all created yet."""
        cursor = self._batches.find({"rows": {"$exists": True}}, {"size": 1, "jobs_created": 1})
        return [b["_id"] async for b in cursor if int(b.get("jobs_created", 0)) < int(b["size"])]

    async def set_batch_size(self, batch_id: str, size: int) -> None:
        await self._batches.update_one({"_id": batch_id}, {"$set": {"size": size}})

    async def get(self, job_id: str) -> Job | None:
        document = await self._jobs.find_one({"_id": job_id}, {"sample_metadata": 0})
        return Job.model_validate(document) if document else None

    async def sample_metadata(self, job_id: str) -> dict[str, Any] | None:
        document = await self._jobs.find_one({"_id": job_id}, {"sample_metadata": 1})
        return document.get("sample_metadata") if document else None

    async def list(
        self, *, batch_id: str | None = None, state: JobState | None = None, limit: int = 100
    ) -> list[Job]:
        query: dict[str, Any] = {}
        if batch_id is not None:
            query["batch_id"] = batch_id
        if state is not None:
            query["state"] = state.value
        cursor = self._jobs.find(query, {"sample_metadata": 0}).sort("created_at", -1).limit(limit)
        return [Job.model_validate(d) async for d in cursor]

    async def get_batch(self, batch_id: str) -> dict[str, Any] | None:
        return await self._batches.find_one({"_id": batch_id})

    async def start_attempt(
        self, job_id: str, *, may_be_running: bool
    ) -> tuple[Job, dict[str, Any] | None] | None:
        """Mark a job running and count the attempt; returns the job and its sample
        metadata, or None if the job is unknown or no longer needs doing. A job already
        running is started again only when `may_be_running` (its message came back after
        its worker was lost, or its worker retries it): a second message of a job another
        worker runs (a republished one) must not run it twice at once.

        An update by `_id` and then a read, not one findAndModify: SecantusDB's
        findAndModify scans the collection (54 ms at 3,000 jobs, growing with every job;
        the update and the read take ~2 and ~1 ms). Nothing is lost by the split: two
        deliveries of one job could both start it with findAndModify too.
        """
        states = [JobState.QUEUED.value, *([JobState.RUNNING.value] if may_be_running else [])]
        started = await self._jobs.update_one(
            {"_id": job_id, "state": {"$in": states}},
            {
                "$set": {
                    "state": JobState.RUNNING.value,
                    "started_at": _now(),
                    "error": None,
                    "counts": JobCounts().model_dump(),
                },
                "$inc": {"attempts": 1},
            },
        )
        if started.matched_count == 0:
            return None
        document = await self._jobs.find_one({"_id": job_id})
        if document is None:
            return None
        metadata = document.pop("sample_metadata", None)
        return Job.model_validate(document), metadata

    async def record_progress(self, job_id: str, counts: JobCounts) -> None:
        await self._jobs.update_one(
            {"_id": job_id, "state": JobState.RUNNING.value},
            {"$set": {"counts": counts.model_dump()}},
        )

    async def succeed(self, job_id: str, counts: JobCounts, assembly: str) -> None:
        await self._jobs.update_one(
            {"_id": job_id},
            {
                "$set": {
                    "state": JobState.SUCCEEDED.value,
                    "counts": counts.model_dump(),
                    "assembly": assembly,
                    "finished_at": _now(),
                    "error": None,
                }
            },
        )

    async def fail(self, job_id: str, error: JobError, counts: JobCounts | None = None) -> None:
        update: dict[str, Any] = {
            "state": JobState.FAILED.value,
            "error": error.model_dump(),
            "finished_at": _now(),
        }
        if counts is not None:
            update["counts"] = counts.model_dump()
        await self._jobs.update_one({"_id": job_id}, {"$set": update})

    async def requeue(self, job_id: str) -> None:
        """A transient failure: the job goes back to waiting for its redelivered message."""
        await self._jobs.update_one(
            {"_id": job_id, "state": JobState.RUNNING.value},
            {"$set": {"state": JobState.QUEUED.value}},
        )
