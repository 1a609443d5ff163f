"""The query service's link to RabbitMQ: publishing and consuming analysis requests, and
following job-success events (each nudges the read model to catch up at once).

The query service answers lookups without a broker, so this link never holds up its start:
it connects in the background, retrying, and the robust connection restores the consumer
after an outage. Until it is up, POST /analyses/{dataset}/run answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from cnvbeacon.query.analyses.settings import AnalysisSettings
from cnvbeacon.query.analyses.worker import AnalysisWorker, request_body
from cnvbeacon.shared import messaging
from cnvbeacon.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

MAX_RECONNECT_DELAY_S = 30.0


class BrokerUnavailableError(RuntimeError):
    pass


class BrokerLink:
    def __init__(
        self,
        settings: ServiceSettings,
        analysis: AnalysisSettings,
        worker: AnalysisWorker | None,
        on_job_succeeded: Callable[[], None] | None = None,
    ) -> None:
        self._settings = settings
        self._on_job_succeeded = on_job_succeeded
        self._analysis = analysis
        self._worker = worker
        self._connection: AbstractRobustConnection | None = None
        self._publisher: messaging.Publisher | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        connection = self._connection
        return (
            self._publisher is not None
            and connection is not None
            and not connection.is_closed
            and connection.connected.is_set()
        )

    @property
    def worker(self) -> AnalysisWorker | None:
        return self._worker

    @property
    def consuming(self) -> bool:
        return self.connected and self._worker is not None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect())

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._open()
                return
            except Exception as error:
                log.warning("analyses: broker not reachable yet", extra={"error": str(error)})
                if self._connection is not None:
                    with contextlib.suppress(Exception):
                        await self._connection.close()
                    self._connection = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RECONNECT_DELAY_S)

    async def _open(self) -> None:
        topology = messaging.Topology(self._settings.amqp_namespace)
        connection = self._connection = await messaging.connect(self._settings)
        _, publisher = await messaging.open_publisher(connection, topology)
        if self._worker is not None:
            consumer = await connection.channel()
            await consumer.set_qos(prefetch_count=self._analysis.prefetch)
            queue = await messaging.get_queue(consumer, topology, messaging.ANALYSIS_ROUTING_KEY)
            await queue.consume(self._on_message)
            log.info("analysis worker consuming", extra={"queue": queue.name})
        if self._on_job_succeeded is not None:
            await self._follow_job_successes(connection, topology)
        self._publisher = publisher

    async def _follow_job_successes(
        self, connection: AbstractRobustConnection, topology: messaging.Topology
    ) -> None:
        """A private queue (gone with the connection) bound to every job's success event."""
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(topology.events_exchange, routing_key="job.*.succeeded")
        await queue.consume(self._on_event, no_ack=True)

    async def _on_event(self, message: AbstractIncomingMessage) -> None:
        assert self._on_job_succeeded is not None
        self._on_job_succeeded()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        assert self._worker is not None
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            await self._worker.handle(message)
        finally:
            self._in_flight.discard(task)

    async def request(self, dataset_id: str, *, force: bool) -> str:
        """Publish an analysis request (confirmed by the broker); returns its id."""
        if self._publisher is None or not self.connected:
            raise BrokerUnavailableError("the message broker is not reachable")
        request_id = f"analysis-{uuid.uuid4().hex}"
        body = request_body(
            dataset_id, self._settings.mongodb_database, force=force, reason="on demand"
        )
        await self._publisher.publish_job(messaging.ANALYSIS_ROUTING_KEY, request_id, body)
        return request_id

    async def close(self) -> None:
        """Stop consuming; a request in progress is abandoned (its child process ended)
        and the broker redelivers it to another replica or after a restart."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
