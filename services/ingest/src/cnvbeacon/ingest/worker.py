"""The ingest worker: consumes job messages, parses each file off the event loop, writes calls.

Failure handling, by kind:
- the file or job is invalid (bad VCF, unreadable source): the job fails at once with the
  file, line and message, and the message is acknowledged, so there is no retry storm;
- the store or broker is unavailable: the message goes back to the queue after a delay;
- anything else (a bug, a message that is not a job): the message is returned until the
  quorum queue's delivery limit dead-letters it, and the dead-letter consumer fails the job.
Writes are idempotent (deterministic call ids), so any redelivery completes the same job.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import AMQPError
from aiormq.exceptions import ChannelInvalidStateError
from pymongo.errors import ConnectionFailure, PyMongoError

from cnvbeacon.ingest import call_writer, vcf
from cnvbeacon.ingest.call_inserter import CallInserter
from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.ingest.sources import SourceError, StagedFile, staged
from cnvbeacon.ingest.uploads import UploadStore
from cnvbeacon.ingest.url_safety import shown_source
from cnvbeacon.shared import logs
from cnvbeacon.shared.messaging import ANALYSIS_ROUTING_KEY, DELIVERY_LIMIT, Publisher
from cnvbeacon.shared.models import Job, JobCounts, JobError, JobState
from cnvbeacon.shared.store.client import Database

log = logging.getLogger(__name__)

# Live progress: events (for progress bars) twice a second; the job document, which
# status requests read, less often, since each write costs the store (most files take
# well under this, and their document is written once, when they finish).
PROGRESS_EVENT_INTERVAL_S = 0.5
PROGRESS_RECORD_INTERVAL_S = 2.0
MAX_RETRY_DELAY_S = 30.0
# Parsed batches waiting for the writer; bounds memory whatever the file size.
PIPELINE_DEPTH = 2

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    ConnectionError,
    TimeoutError,
)


def job_event(job: Job, state: JobState, counts: JobCounts, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "batch_id": job.batch_id,
        "dataset_id": job.dataset_id,
        "source": shown_source(job.source),
        "state": state.value,
        "counts": counts.model_dump(),
        **extra,
    }


def _channel_open(message: AbstractIncomingMessage) -> bool:
    """Whether the message's channel is open: aio-pika raises, rather than answers, when
    asked for a channel that closed."""
    try:
        return not message.channel.is_closed
    except (ChannelInvalidStateError, RuntimeError):
        return False


class _ParseCancelledError(Exception):
    pass


def _produce(
    reader: Iterator[list[dict[str, Any]]],
    queue: asyncio.Queue[list[dict[str, Any]] | BaseException | None],
    loop: asyncio.AbstractEventLoop,
    stop: threading.Event,
) -> None:
    """Runs in a thread: pushes parsed batches to the event loop, blocking while it is full."""

    def put(item: list[dict[str, Any]] | BaseException | None) -> None:
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        while True:
            try:
                future.result(timeout=0.5)
                return
            except TimeoutError:
                if stop.is_set():
                    future.cancel()
                    raise _ParseCancelledError() from None

    try:
        for batch in reader:
            put(batch)
        put(None)
    except _ParseCancelledError:
        return
    except BaseException as error:
        try:
            put(error)
        except _ParseCancelledError:
            return


@dataclass(frozen=True, slots=True)
class _StoredFile:
    counts: JobCounts
    assembly: str
    synthetic: bool
    # What each biosample's calls were given of their individual's attributes.
    attributes: dict[str, dict[str, Any]]


class IngestWorker:
    def __init__(self, db: Database, publisher: Publisher, settings: IngestSettings) -> None:
        self._db = db
        self._jobs = JobStore(db)
        self._uploads = UploadStore(db)
        self._publisher = publisher
        self._settings = settings
        # The kind (real or synthetic) of each dataset that exists: it never changes.
        self._dataset_kinds: dict[str, bool] = {}
        # The calls of all the jobs this worker runs at once go through one insert stream.
        self._inserter = CallInserter(db, max_calls=settings.write_batch_size)

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Process one job message; always ends in exactly one ack, nack or reject."""
        try:
            job_id = str(json.loads(message.body)["job_id"])
        except (ValueError, KeyError, TypeError):
            log.error("not a job message; dead-lettering it", extra={"body": message.body[:200]})
            await message.reject(requeue=False)
            return
        token = logs.job_id.set(job_id)
        try:
            await self._handle_job(job_id, message)
        finally:
            logs.job_id.reset(token)

    async def _handle_job(self, job_id: str, message: AbstractIncomingMessage) -> None:
        """Transient failures (store or broker unreachable) are retried here, holding the
        message, with growing delays: handing the message back would count against the
        queue's delivery limit and dead-letter healthy jobs during a long outage."""
        delay = self._settings.retry_delay_s
        retry = False
        while True:
            try:
                await self._attempt(job_id, message, retry=retry)
                return
            except TRANSIENT_ERRORS as error:
                if not _channel_open(message):
                    log.warning("lost the broker mid-job; it will redeliver the job")
                    return
                log.warning(
                    "transient failure; retrying the job",
                    extra={"error": f"{type(error).__name__}: {error}", "delay_s": delay},
                )
                await asyncio.sleep(delay)
                delay = min(max(delay * 2, 0.5), MAX_RETRY_DELAY_S)
                retry = True

    async def _attempt(self, job_id: str, message: AbstractIncomingMessage, *, retry: bool) -> None:
        started = await self._jobs.start_attempt(
            job_id, may_be_running=retry or bool(message.redelivered)
        )
        if started is None:
            if await self._jobs.get(job_id) is None:
                log.error("job message names an unknown job; dead-lettering it")
                await message.reject(requeue=False)
            else:
                log.info("job finished or running elsewhere; acknowledging this message")
                await message.ack()
            return
        job, sample_metadata = started
        counts = JobCounts()
        try:
            counts = await self._run(job, sample_metadata)
        except (vcf.VcfFormatError, SourceError) as error:
            await self._fail(job, counts, error)
            await message.ack()
        except asyncio.CancelledError:
            log.warning("shutting down mid-job; returning it to the queue")
            await self._requeue_quietly(job.id)
            if _channel_open(message):
                with contextlib.suppress(AMQPError, ChannelInvalidStateError):
                    await message.nack(requeue=True)
            raise
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            log.exception("unexpected failure in job")
            await self._give_up_or_retry(job, counts, message, error)
        else:
            await message.ack()

    async def _run(self, job: Job, sample_metadata: dict[str, Any] | None) -> JobCounts:
        settings = self._settings
        started = time.perf_counter()
        await self._publisher.publish_event(
            f"job.{job.id}.running", job_event(job, JobState.RUNNING, JobCounts())
        )
        async with staged(
            job,
            self._uploads,
            inbox_dir=settings.inbox_dir,
            scratch_dir=settings.scratch_dir,
            fetch=settings.fetch_limits(),
        ) as source:
            stored = await self._ingest_file(job, source, sample_metadata)
        counts, written = stored.counts, stored.attributes
        await call_writer.remove_superseded(self._db, job.dataset_id, written, source.digest)
        await call_writer.apply_individual_attributes(self._db, job.dataset_id, written)
        await call_writer.touch_dataset(
            self._db,
            job.dataset_id,
            stored.assembly,
            synthetic=stored.synthetic,
            biosample_ids=written.keys(),
            file_digest=source.digest,
            job_id=job.id,
        )
        await self._jobs.succeed(job.id, counts, stored.assembly)
        await self._request_analysis(job)
        seconds = round(time.perf_counter() - started, 3)
        log.info("job succeeded", extra={"counts": counts.model_dump(), "seconds": seconds})
        await self._publisher.publish_event(
            f"job.{job.id}.succeeded", job_event(job, JobState.SUCCEEDED, counts, seconds=seconds)
        )
        return counts

    async def _ingest_file(
        self, job: Job, source: StagedFile, sample_metadata: dict[str, Any] | None
    ) -> _StoredFile:
        """Parse and store the file's calls."""
        open_reader = partial(
            vcf.read_vcf,
            source.path,
            dataset_id=job.dataset_id,
            job_id=job.id,
            file_digest=source.digest,
            assembly=job.assembly,
            batch_size=self._settings.write_batch_size,
            display_name=source.display_name,
        )
        # Opening reads the header: file I/O, so off the event loop like the parsing itself.
        # The calls get their individuals' attributes as they are parsed (one write per call);
        # the header names the samples to look up.
        reader = await asyncio.to_thread(open_reader)
        await self._check_dataset_kind(job, reader)
        attributes = await self._individual_attributes(job, reader.samples, sample_metadata)
        if attributes:
            reader = await asyncio.to_thread(open_reader, sample_metadata=attributes)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[list[dict[str, Any]] | BaseException | None] = asyncio.Queue(
            PIPELINE_DEPTH
        )
        stop = threading.Event()
        producer = loop.run_in_executor(None, _produce, iter(reader), queue, loop, stop)
        biosamples: set[str] = set()
        counts = JobCounts()
        last_event = last_record = time.monotonic()
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                await self._inserter.insert(job.dataset_id, item)
                biosamples.update(call["biosample_id"] for call in item)
                counts = self._counts(reader)
                now = time.monotonic()
                if now - last_record >= PROGRESS_RECORD_INTERVAL_S:
                    last_record = now
                    await self._jobs.record_progress(job.id, counts)
                if now - last_event >= PROGRESS_EVENT_INTERVAL_S:
                    last_event = now
                    await self._publisher.publish_event(
                        f"job.{job.id}.progress",
                        job_event(job, JobState.RUNNING, counts, fraction=reader.fraction_read),
                    )
        finally:
            stop.set()
            await producer
        return _StoredFile(
            counts=self._counts(reader),
            assembly=reader.assembly,
            synthetic=reader.header.synthetic,
            attributes={biosample: attributes.get(biosample, {}) for biosample in biosamples},
        )

    async def _check_dataset_kind(self, job: Job, reader: vcf.VcfReader) -> None:
        """Synthetic and real data never share a dataset (a file says it is synthetic in its
        header); the first file decides what the dataset is, for good (datasets are never
        deleted), so a worker asks the store only until the dataset exists."""
        held = self._dataset_kinds.get(job.dataset_id)
        if held is None:
            held = await call_writer.dataset_is_synthetic(self._db, job.dataset_id)
            if held is not None:
                self._dataset_kinds[job.dataset_id] = held
        synthetic = reader.header.synthetic
        if held is None or held == synthetic:
            return
        kinds = ("real", "synthetic")
        raise vcf.VcfFormatError(
            reader.display_name,
            None,
            f"the file is {kinds[synthetic]} data (its header "
            f"{'has' if synthetic else 'lacks'} ##cnvbeaconSynthetic) but dataset "
            f"{job.dataset_id!r} holds {kinds[held]} data; the two are never mixed: submit "
            "it to another dataset",
        )

    async def _individual_attributes(
        self, job: Job, samples: Sequence[str], sample_metadata: dict[str, Any] | None
    ) -> dict[str, dict[str, Any]]:
        """The stored attributes of the file's samples, after storing what the job's
        metadata says of them where that is new (a resubmitted batch usually changes
        nothing, and then writes nothing)."""
        stored = await call_writer.individual_attributes(self._db, job.dataset_id, samples)
        changed = []
        for sample, attributes in (sample_metadata or {}).items():
            # A manifest without a sex column says nothing of sex: it must not erase it.
            stated = {"individual_id": sample} | {
                key: value for key, value in attributes.items() if value is not None
            }
            known = stored.get(sample) or {}
            if any(known.get(key) != value for key, value in stated.items()):
                changed.append({"biosample_ids": [sample], **stated})
        if not changed:
            return stored
        await call_writer.upsert_individuals(self._db, job.dataset_id, changed)
        return await call_writer.individual_attributes(self._db, job.dataset_id, samples)

    async def _request_analysis(self, job: Job) -> None:
        """Population analyses: ask for a recompute (the analysis consumer debounces and
        coalesces requests), best effort: the job's calls are stored either way."""
        body = {"dataset_id": job.dataset_id, "database": self._settings.mongodb_database}
        try:
            await self._publisher.publish_job(ANALYSIS_ROUTING_KEY, f"analysis-{job.id}", body)
        except (AMQPError, ConnectionError, TimeoutError) as error:
            log.warning("analysis request not published", extra={"error": repr(error)})

    @staticmethod
    def _counts(reader: vcf.VcfReader) -> JobCounts:
        stats = reader.stats
        return JobCounts(
            records_read=stats.records_read,
            calls_stored=stats.calls_produced,
            records_skipped=stats.records_skipped,
            skipped_by_reason=dict(stats.skipped_by_reason),
        )

    async def _fail(self, job: Job, counts: JobCounts, error: Exception) -> None:
        if isinstance(error, vcf.VcfFormatError):
            detail = JobError(file=error.file, line=error.line, message=error.message)
        else:
            detail = JobError(file=shown_source(job.source), line=None, message=str(error))
        log.warning("job failed", extra={"error": detail.model_dump()})
        await self._jobs.fail(job.id, detail, counts)
        await self._publisher.publish_event(
            f"job.{job.id}.failed",
            job_event(job, JobState.FAILED, counts, error=detail.model_dump()),
        )

    async def _give_up_or_retry(
        self, job: Job, counts: JobCounts, message: AbstractIncomingMessage, error: Exception
    ) -> None:
        """Unexpected errors are retried until the delivery limit, then the job fails."""
        deliveries = _delivery_count(message)
        if deliveries + 1 >= DELIVERY_LIMIT:
            detail = JobError(
                file=shown_source(job.source),
                line=None,
                message=f"gave up after {deliveries + 1} attempts: {type(error).__name__}: {error}",
            )
            await self._jobs.fail(job.id, detail, counts)
            await self._publisher.publish_event(
                f"job.{job.id}.failed",
                job_event(job, JobState.FAILED, counts, error=detail.model_dump()),
            )
            await message.reject(requeue=False)
            return
        await self._retry_later(message, job.id)

    async def _retry_later(self, message: AbstractIncomingMessage, job_id: str | None) -> None:
        await asyncio.sleep(self._settings.retry_delay_s)
        if job_id is not None:
            await self._requeue_quietly(job_id)
        await message.nack(requeue=True)

    async def _requeue_quietly(self, job_id: str) -> None:
        try:
            await asyncio.wait_for(self._jobs.requeue(job_id), timeout=2)
        except (PyMongoError, TimeoutError):
            log.warning("could not mark the job queued; its redelivery will restart it")

    async def handle_dead_letter(self, message: AbstractIncomingMessage) -> None:
        """Messages the queue gave up on: fail their job so nobody waits for it forever."""
        try:
            job_id = str(json.loads(message.body)["job_id"])
        except (ValueError, KeyError, TypeError):
            await message.ack()
            return
        job = await self._jobs.get(job_id)
        if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
            detail = JobError(
                file=shown_source(job.source),
                line=None,
                message=f"the job message was dead-lettered after {_delivery_count(message)} "
                "deliveries (the worker kept failing on it)",
            )
            await self._jobs.fail(job_id, detail)
            await self._publisher.publish_event(
                f"job.{job_id}.failed",
                job_event(job, JobState.FAILED, job.counts, error=detail.model_dump()),
            )
        await message.ack()


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """How many times a quorum queue has delivered this message before."""
    value = (message.headers or {}).get("x-delivery-count", 0)
    return int(value) if isinstance(value, int | str) else 0
