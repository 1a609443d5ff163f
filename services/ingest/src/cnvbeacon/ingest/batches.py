"""Creating a batch's jobs in the background.

POST /batches records the batch with its rows and returns; a BatchCreator then creates and
queues the jobs a chunk at a time, under a lease on the batch (one replica at a time) that
it renews as it goes. Job ids follow from the batch and the row, so creating a job again
(after a crash, by another replica) finds it instead of making a second one. A replica
that starts, and every batch_resume_s, finishes batches left half-created.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any, Final

from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.manifest import ManifestRow
from cnvbeacon.ingest.submission import QueueUnavailableError, submit_job
from cnvbeacon.shared.messaging import Publisher

log = logging.getLogger(__name__)
CHUNK: Final = 100  # jobs created between two records of progress


def job_id_of(batch_id: str, row: int) -> str:
    return f"job-{batch_id.removeprefix('batch-')}-{row:05d}"


def row_document(
    row: ManifestRow, file_id: str | None, default_assembly: str | None
) -> dict[str, Any]:
    """What a batch keeps of a manifest row to create its job later."""
    return {
        "line": row.line,
        "sample": row.sample_id,
        "file": row.file,
        "file_id": file_id,
        "assembly": row.assembly or default_assembly,
        "metadata": row.sample_metadata(),
    }


class BatchCreator:
    def __init__(self, jobs: JobStore, publisher: Publisher, lease_s: float) -> None:
        self._jobs = jobs
        self._publisher = publisher
        self._lease_s = lease_s
        self.owner = f"creator-{uuid.uuid4().hex[:12]}"
        self._running: dict[str, asyncio.Task[None]] = {}

    def start(self, batch_id: str) -> None:
        """Create the batch's jobs in the background (unless this replica already is)."""
        if batch_id not in self._running:
            task = asyncio.create_task(self._create_logged(batch_id))
            self._running[batch_id] = task
            task.add_done_callback(lambda _: self._running.pop(batch_id, None))

    async def resume(self) -> None:
        """Start every batch whose jobs are not all created (its lease decides who does)."""
        for batch_id in await self._jobs.batches_creating():
            self.start(batch_id)

    async def close(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _create_logged(self, batch_id: str) -> None:
        try:
            await self.create_jobs(batch_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "creating the jobs of a batch failed; retried later", extra={"batch": batch_id}
            )

    async def create_jobs(self, batch_id: str) -> None:
        batch = await self._jobs.claim_batch(batch_id, self.owner, self._lease_s)
        if batch is None:
            return
        rows: list[dict[str, Any]] = batch["rows"]
        created = int(batch.get("jobs_created", 0))
        error: str | None = None
        try:
            for index in range(created, len(rows)):
                await self._create_job(batch, index, rows[index])
                if (index + 1) % CHUNK == 0 or index + 1 == len(rows):
                    await self._jobs.record_jobs_created(
                        batch_id, self.owner, index + 1, self._lease_s
                    )
        except QueueUnavailableError as failure:
            error = f"the job queue is unavailable: {failure}; creation resumes later"
            log.warning("batch creation paused", extra={"batch": batch_id, "error": str(failure)})
        finally:
            with contextlib.suppress(Exception):
                await self._jobs.release_batch(batch_id, self.owner, error)

    async def _create_job(self, batch: dict[str, Any], index: int, row: dict[str, Any]) -> None:
        job_id = job_id_of(batch["_id"], index)
        if await self._jobs.get(job_id) is not None:
            return  # created before a crash or by another replica
        await submit_job(
            self._jobs,
            self._publisher,
            dataset_id=batch["dataset_id"],
            source=row["file"],
            assembly=row["assembly"],
            file_id=row["file_id"],
            sample_id=row["sample"],
            sample_metadata=row["metadata"],
            batch_id=batch["_id"],
            job_id=job_id,
            # Unconfirmed, it stays queued: the reconciler publishes it once the broker is back.
            fail_unconfirmed=False,
        )
