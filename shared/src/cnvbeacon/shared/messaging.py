"""RabbitMQ connection and the whole message topology, declared in one place.

Jobs go through a durable direct exchange to quorum queues. A quorum queue counts
deliveries; a message redelivered more than ``x-delivery-limit`` times (a worker keeps
crashing on it) is dead-lettered instead of looping forever. Progress events go to a
topic exchange that UIs and tests may bind their own temporary queues to.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Final

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractQueue,
    AbstractRobustConnection,
)

from cnvbeacon.shared.settings import ServiceSettings

INGEST_ROUTING_KEY: Final = "ingest"
ANALYSIS_ROUTING_KEY: Final = "analysis"
DELIVERY_LIMIT: Final = 5
EVENT_TIMEOUT_S: Final = 2.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Topology:
    """Exchange and queue names of one deployment (all prefixed by its namespace)."""

    namespace: str

    @property
    def jobs_exchange(self) -> str:
        return f"{self.namespace}.jobs"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.jobs.dlx"

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}.events"

    def queue(self, routing_key: str) -> str:
        return f"{self.namespace}.{routing_key}"

    def dead_letter_queue(self, routing_key: str) -> str:
        return f"{self.namespace}.{routing_key}.dead"

    @property
    def all_queues(self) -> tuple[str, ...]:
        keys = (INGEST_ROUTING_KEY, ANALYSIS_ROUTING_KEY)
        return tuple(self.queue(k) for k in keys) + tuple(self.dead_letter_queue(k) for k in keys)

    @property
    def all_exchanges(self) -> tuple[str, ...]:
        return (self.jobs_exchange, self.dead_letter_exchange, self.events_exchange)


async def connect(settings: ServiceSettings) -> AbstractRobustConnection:
    """A connection that reconnects by itself and re-declares what was declared on it."""
    return await aio_pika.connect_robust(
        settings.amqp_url,
        client_properties={"connection_name": f"cnvbeacon:{settings.amqp_namespace}"},
        timeout=settings.readiness_timeout_s * 5,
    )


async def declare_topology(channel: AbstractChannel, topology: Topology) -> None:
    """Declare every exchange and queue; idempotent."""
    jobs = await channel.declare_exchange(
        topology.jobs_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    dead = await channel.declare_exchange(
        topology.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    await channel.declare_exchange(
        topology.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    for key in (INGEST_ROUTING_KEY, ANALYSIS_ROUTING_KEY):
        queue = await channel.declare_queue(
            topology.queue(key),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": topology.dead_letter_exchange,
                "x-dead-letter-routing-key": key,
            },
        )
        await queue.bind(jobs, routing_key=key)
        dead_queue = await channel.declare_queue(
            topology.dead_letter_queue(key), durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_queue.bind(dead, routing_key=key)


async def get_queue(
    channel: AbstractChannel, topology: Topology, routing_key: str
) -> AbstractQueue:
    """The declared job queue for a routing key (declare_topology must have run)."""
    return await channel.get_queue(topology.queue(routing_key), ensure=True)


async def get_dead_letter_queue(
    channel: AbstractChannel, topology: Topology, routing_key: str
) -> AbstractQueue:
    return await channel.get_queue(topology.dead_letter_queue(routing_key), ensure=True)


class Publisher:
    """Publishes persistent job messages with publisher confirms, and transient events."""

    def __init__(self, channel: AbstractChannel, topology: Topology) -> None:
        self._channel = channel
        self._topology = topology
        self._jobs: AbstractExchange | None = None
        self._events: AbstractExchange | None = None

    async def _exchanges(self) -> tuple[AbstractExchange, AbstractExchange]:
        if self._jobs is None or self._events is None:
            self._jobs = await self._channel.get_exchange(self._topology.jobs_exchange)
            self._events = await self._channel.get_exchange(self._topology.events_exchange)
        return self._jobs, self._events

    async def publish_job(self, routing_key: str, job_id: str, body: dict[str, Any]) -> None:
        """Returns once the broker has confirmed the message is stored; raises otherwise."""
        jobs, _ = await self._exchanges()
        message = aio_pika.Message(
            json.dumps(body).encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=job_id,
        )
        await jobs.publish(message, routing_key=routing_key, mandatory=True)

    async def publish_event(self, topic: str, body: dict[str, Any]) -> None:
        """Best-effort progress event: never fails the work it reports on. Consumers that
        are not listening (or a broker that is briefly away) simply miss it."""
        message = aio_pika.Message(
            json.dumps(body, default=str).encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
        )
        try:
            _, events = await self._exchanges()
            async with asyncio.timeout(EVENT_TIMEOUT_S):
                await events.publish(message, routing_key=topic)
        except (aio_pika.exceptions.AMQPError, ConnectionError, TimeoutError) as error:
            log.warning(
                "progress event not published", extra={"topic": topic, "error": repr(error)}
            )


async def open_publisher(
    connection: AbstractRobustConnection, topology: Topology
) -> tuple[AbstractChannel, Publisher]:
    channel = await connection.channel(publisher_confirms=True)
    await declare_topology(channel, topology)
    return channel, Publisher(channel, topology)
