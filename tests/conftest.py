"""Session-wide real backends, and a private database and message namespace per test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from cnvbeacon.shared.messaging import Topology
from cnvbeacon.shared.store.client import Database, MongoClient
from tests.support import backends

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
HG00096_VCF = ROOT / "deploy" / "demo-data" / "HG00096.dragen-3.5.7b.hg38.cnv.vcf.gz"


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with backends.mongodb(tmp_path_factory.mktemp("mongodb")) as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with backends.rabbitmq() as url:
        yield url


@dataclass(frozen=True, slots=True)
class Backends:
    """One test's private slice of the real backends."""

    mongodb_url: str
    database: str
    amqp_url: str
    namespace: str

    @classmethod
    def unique(cls, mongodb_url: str, amqp_url: str) -> Backends:
        """A database and an exchange/queue namespace no other test (or run) uses."""
        unique = uuid.uuid4().hex[:12]
        return cls(mongodb_url, f"cnvb_test_{unique}", amqp_url, f"cnvb-test-{unique}")

    def env(self) -> dict[str, str]:
        return {
            "CNVB_MONGODB_URL": self.mongodb_url,
            "CNVB_MONGODB_DATABASE": self.database,
            "CNVB_AMQP_URL": self.amqp_url,
            "CNVB_AMQP_NAMESPACE": self.namespace,
        }


@pytest_asyncio.fixture
async def backends_env(mongodb_url: str, amqp_url: str) -> AsyncIterator[Backends]:
    """A database and an exchange/queue namespace no other test (or run) uses; removed after."""
    slice_ = Backends.unique(mongodb_url, amqp_url)
    yield slice_
    await drop_backends(slice_)


async def drop_backends(backends: Backends) -> None:
    """Remove a slice's database, queues and exchanges."""
    client: MongoClient = AsyncMongoClient(backends.mongodb_url)
    await client.drop_database(backends.database)
    await client.close()
    connection = await aio_pika.connect(backends.amqp_url)
    topology = Topology(backends.namespace)
    async with connection:
        for queue in topology.all_queues:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                await channel.queue_delete(queue)
        channel = await connection.channel()
        for exchange in topology.all_exchanges:
            await channel.exchange_delete(exchange)


@pytest_asyncio.fixture
async def database(backends_env: Backends) -> AsyncIterator[Database]:
    client: MongoClient = AsyncMongoClient(backends_env.mongodb_url, tz_aware=True)
    yield client[backends_env.database]
    await client.close()
