"""Creating jobs and putting them on the queue: the one path every submitter uses
(HTTP uploads, batch manifests, the inbox watcher, make up's demo loader)."""

from __future__ import annotations

import logging
from typing import Any

from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.url_safety import shown_source
from cnvbeacon.shared.messaging import INGEST_ROUTING_KEY, Publisher
from cnvbeacon.shared.models import Job, JobError, JobState

log = logging.getLogger(__name__)


class QueueUnavailableError(RuntimeError):
    pass


def broker_failure(error: BaseException) -> str:
    """What went wrong with the broker, for people: the error's kind and text, without the
    object reprs aio-pika puts in some messages."""
    text = str(error)
    if not text or " object at 0x" in text:
        return f"{type(error).__name__}: the broker connection or channel is closed"
    return f"{type(error).__name__}: {text}"


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
    fail_unconfirmed: bool = True,
) -> Job:
    """Record the job, then publish its message with a broker confirm.

    If the broker does not confirm, QueueUnavailableError is raised and the job is marked
    failed, or (fail_unconfirmed=False) left queued for the reconciler to publish again:
    never queued with no message and nobody to send it.
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
    await publish(jobs, publisher, job, fail_unconfirmed=fail_unconfirmed)
    return job


async def publish(
    jobs: JobStore, publisher: Publisher, job: Job, *, fail_unconfirmed: bool = True
) -> None:
    """Put a recorded job's message on the queue (with a broker confirm) and announce it.
    Unconfirmed: the job fails (fail_unconfirmed), or stays queued for another try."""
    source, batch_id, dataset_id = shown_source(job.source), job.batch_id, job.dataset_id
    try:
        await publisher.publish_job(INGEST_ROUTING_KEY, job.id, {"job_id": job.id})
    except Exception as error:
        reason = broker_failure(error)
        log.error("could not queue job", extra={"job": job.id, "error": reason})
        if fail_unconfirmed:
            await jobs.fail(
                job.id,
                JobError(file=source, line=None, message=f"the job could not be queued: {reason}"),
            )
        raise QueueUnavailableError(reason) from error
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
    # After the event: announcing the job before its worker announces it running.
    await jobs.mark_published(job.id)
