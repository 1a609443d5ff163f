"""The ingest service: HTTP API for submissions and status, and the queue worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import AMQPError
from aiohttp import web
from aiormq.exceptions import ChannelInvalidStateError

from cnvbeacon.ingest import api, keys
from cnvbeacon.ingest.batches import BatchCreator
from cnvbeacon.ingest.inbox import InboxWatcher, watch
from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.reconciler import Reconciler
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.ingest.uploads import UploadStore
from cnvbeacon.ingest.worker import IngestWorker
from cnvbeacon.shared import messaging
from cnvbeacon.shared.web import AMQP, DATABASE, TOPOLOGY, amqp_ctx, base_app, mongo_ctx

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def _every(
    seconds: float, work: Callable[[], Awaitable[object]], what: str
) -> AsyncIterator[None]:
    """Run `work` now and every `seconds` while the block runs (a failure is logged and
    tried again next time); stopped when the block ends."""

    async def forever() -> None:
        while True:
            try:
                await work()
            except Exception:
                log.exception("%s failed; trying again", what)
            await asyncio.sleep(seconds)

    task = asyncio.create_task(forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def publisher_ctx(app: web.Application) -> AsyncIterator[None]:
    channel, publisher = await messaging.open_publisher(app[AMQP], app[TOPOLOGY])
    app[keys.PUBLISHER] = publisher
    app[keys.JOBS] = JobStore(app[DATABASE])
    app[keys.UPLOADS] = UploadStore(app[DATABASE])
    yield
    with contextlib.suppress(AMQPError, ChannelInvalidStateError, RuntimeError):
        await channel.close()


async def worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """Consume jobs; on shutdown stop taking new ones and let the in-flight job finish
    (or hand it back to the queue when the grace period runs out)."""
    settings = app[keys.SETTINGS]
    if not settings.run_worker:
        yield
        return
    worker = IngestWorker(app[DATABASE], app[keys.PUBLISHER], settings)
    channel = await app[AMQP].channel()
    await channel.set_qos(prefetch_count=settings.worker_prefetch)
    topology = app[TOPOLOGY]
    queue = await messaging.get_queue(channel, topology, messaging.INGEST_ROUTING_KEY)
    dead = await messaging.get_dead_letter_queue(channel, topology, messaging.INGEST_ROUTING_KEY)
    in_flight: set[asyncio.Task[None]] = set()

    async def on_message(message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        assert task is not None
        in_flight.add(task)
        try:
            await worker.handle(message)
        finally:
            in_flight.discard(task)

    job_tag = await queue.consume(on_message)
    dead_tag = await dead.consume(worker.handle_dead_letter)
    log.info("ingest worker consuming", extra={"queue": queue.name})
    yield
    # The broker may be gone at shutdown: its deliveries then stop anyway, and it
    # redelivers whatever was not acknowledged.
    with contextlib.suppress(AMQPError, ChannelInvalidStateError, RuntimeError):
        await queue.cancel(job_tag)
        await dead.cancel(dead_tag)
    if in_flight:
        log.info("waiting for %d in-flight job(s)", len(in_flight))
        _, pending = await asyncio.wait(set(in_flight), timeout=settings.shutdown_grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    with contextlib.suppress(AMQPError, ChannelInvalidStateError, RuntimeError):
        await channel.close()


async def batches_ctx(app: web.Application) -> AsyncIterator[None]:
    """The app's BatchCreator, and the loop that finishes half-created batches."""
    settings = app[keys.SETTINGS]
    creator = BatchCreator(app[keys.JOBS], app[keys.PUBLISHER], settings.batch_lease_s)
    app[keys.BATCHES] = creator

    async with _every(settings.batch_resume_s, creator.resume, "resuming half-created batches"):
        yield
    await creator.close()


async def reconciler_ctx(app: web.Application) -> AsyncIterator[None]:
    """The reconciler's rounds (reconciler.py), every reconcile_s, in whichever replica holds
    its lease."""
    settings = app[keys.SETTINGS]
    reconciler = Reconciler(
        app[DATABASE],
        app[keys.JOBS],
        app[keys.UPLOADS],
        app[keys.PUBLISHER],
        publish_grace_s=settings.publish_grace_s,
        upload_retention_s=settings.upload_retention_s,
    )

    async def round_() -> None:
        await reconciler.run_once(lease_s=2 * settings.reconcile_s)

    async with _every(settings.reconcile_s, round_, "a reconciler round"):
        yield
    with contextlib.suppress(Exception):  # the store may be gone: the lease then expires
        await reconciler.lease.release()


async def inbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """Watch the inbox directory for new files and manifests (CNVB_WATCH_INBOX)."""
    settings = app[keys.SETTINGS]
    if not settings.watch_inbox:
        yield
        return
    if settings.inbox_dir is None:
        raise RuntimeError("CNVB_WATCH_INBOX needs CNVB_INBOX_DIR")
    watcher = InboxWatcher(
        app[DATABASE],
        app[keys.JOBS],
        app[keys.PUBLISHER],
        settings.inbox_dir,
        settings.default_dataset,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(watch(watcher, settings.inbox_poll_s, stop))
    log.info("watching the inbox", extra={"inbox": str(settings.inbox_dir)})
    yield
    stop.set()
    await task


def create_app(settings: IngestSettings | None = None) -> web.Application:
    settings = settings or IngestSettings()
    app = base_app(settings, middlewares=(api.json_errors,))
    app[keys.SETTINGS] = settings
    app.cleanup_ctx.extend(
        [mongo_ctx, amqp_ctx, publisher_ctx, batches_ctx, reconciler_ctx, worker_ctx, inbox_ctx]
    )
    api.add_routes(app)
    return app
