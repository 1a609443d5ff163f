"""Creating jobs and putting them on the queue: the one path every submitter uses
(HTTP uploads, batch manifests, the inbox watcher, make up's demo loader)."""

from __future__ import annotations

import logging
from typing import Any

from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.shared.messaging import INGEST_ROUTING_KEY, Publisher
from cnvbeacon.shared.models import Job, JobError, JobState

log = logging.getLogger(__name__)


class QueueUnavailableError(RuntimeError):
    pass


async def submit_job(
    jobs: JobStore,
    publisher: Publisher,
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
    """Record the job, then publish its message with a broker confirm.

    If the broker does not confirm, the job is marked failed (never left 'queued' with
    no message behind it) and QueueUnavailableError is raised.
    """
    job = await jobs.create(
        dataset_id=dataset_id,
        source=source,
        assembly=assembly,
        file_id=file_id,
        sample_id=sample_id,
        sample_metadata=sample_metadata,
        batch_id=batch_id,
        job_id=job_id,
    )
    try:
        await publisher.publish_job(INGEST_ROUTING_KEY, job.id, {"job_id": job.id})
    except Exception as error:
        log.error("could not queue job", extra={"job": job.id, "error": str(error)})
        await jobs.fail(
            job.id,
            JobError(file=source, line=None, message=f"the job could not be queued: {error}"),
        )
        raise QueueUnavailableError(str(error)) from error
    await publisher.publish_event(
        f"job.{job.id}.queued",
        {
            "job_id": job.id,
            "batch_id": batch_id,
            "dataset_id": dataset_id,
            "source": source,
            "state": JobState.QUEUED.value,
        },
    )
    return job
