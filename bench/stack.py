"""The processes a benchmark run measures: the store, the broker and the three services.

Reuses deploy/local/localstack.py (the functions `make up` uses). The store is the given
MongoDB URL, or a SecantusDB on a free port with its data in the run's scratch directory;
RabbitMQ is the given URL, or the machine's (started if needed). Services are started as
subprocesses exactly as the images run them, with a database and AMQP namespace unique to
the run, so a benchmark never touches `make up`'s data or queues. Everything started here is
stopped by pid (after reading its peak memory) and the run's database and queues are removed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import cast

import aio_pika
from pymongo import AsyncMongoClient

from bench.measure import peak_rss_mib
from cnvbeacon.shared.messaging import Topology
from cnvbeacon.shared.store.client import Database, MongoClient

ROOT = Path(__file__).resolve().parents[1]
LOCALSTACK = ROOT / "deploy" / "local" / "localstack.py"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
READY_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30


@cache
def localstack() -> ModuleType:
    """deploy/local/localstack.py (a script directory, not a package); loaded once."""
    if "localstack" in sys.modules:  # the test suite puts deploy/local on sys.path
        return sys.modules["localstack"]
    spec = importlib.util.spec_from_file_location("localstack", LOCALSTACK)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {LOCALSTACK}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["localstack"] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    return int(localstack().free_port())


@dataclass
class StartedProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str | None = None
    peak_rss_mib: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class BenchStack:
    """One run's slice of the backends and the processes started for it."""

    mongodb_url: str
    amqp_url: str
    database: str
    namespace: str
    scratch: Path
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    processes: list[StartedProcess] = field(default_factory=list)
    own_store: Path | None = None  # SecantusDB storage started for this run

    def urls(self, name: str) -> list[str]:
        return [p.url for p in self.processes if p.name == name and p.url is not None]

    def service_environment(self, port: int, **extra: str) -> dict[str, str]:
        return {
            "CNVB_MONGODB_URL": self.mongodb_url,
            "CNVB_MONGODB_DATABASE": self.database,
            "CNVB_AMQP_URL": self.amqp_url,
            "CNVB_AMQP_NAMESPACE": self.namespace,
            "CNVB_ADMIN_TOKEN": self.admin_token,
            "CNVB_PORT": str(port),
            "CNVB_LOG_LEVEL": "WARNING",
            # Each query replica keeps its own read model.
            "CNVB_READ_MODEL_DIRECTORY": str(self.scratch / f"read-model-{port}"),
            **extra,
        }

    def start_service(self, name: str, module: str, **environment: str) -> StartedProcess:
        """Start ``python -m cnvbeacon.<module>`` and wait until /readyz answers 200."""
        port = free_port()
        log = self.scratch / "logs" / f"{name}.log"
        process = localstack().start_service(
            module, self.service_environment(port, **environment), log
        )
        started = StartedProcess(name, process, log, f"http://127.0.0.1:{port}")
        self.processes.append(started)
        localstack().wait_ready(name, started.url, READY_TIMEOUT_S, process, log)
        return started

    def record_peak_memory(self) -> None:
        for started in self.processes:
            if started.process.poll() is None:
                started.peak_rss_mib = peak_rss_mib(started.pid)

    def stop_services(self) -> None:
        """Stop every service (not the store), newest first, after reading peak memory."""
        self.record_peak_memory()
        for started in reversed(self.processes):
            if started.name != "store":
                stop(started.process)

    def client(self) -> MongoClient:
        return AsyncMongoClient(self.mongodb_url, tz_aware=True)

    def db(self, client: MongoClient) -> Database:
        return client[self.database]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful stop), SIGKILL after STOP_TIMEOUT_S; reaps our child either way."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def open_stack(
    *, mongodb_url: str | None, amqp_url: str | None, scratch: Path, run_id: str
) -> BenchStack:
    """The store (given or started) and the broker (given or the machine's, ensured)."""
    scratch.mkdir(parents=True, exist_ok=True)
    broker = amqp_url or DEFAULT_AMQP_URL
    localstack().ensure_rabbitmq(broker)
    stack = BenchStack(
        mongodb_url=mongodb_url or "",
        amqp_url=broker,
        database=f"cnvb_bench_{run_id}",
        namespace=f"cnvb-bench-{run_id}",
        scratch=scratch,
    )
    if mongodb_url is None:
        port = free_port()
        storage = scratch / "secantus"
        log = scratch / "logs" / "secantus.log"
        process = cast("subprocess.Popen[bytes]", localstack().start_secantus(port, storage, log))
        stack.processes.append(StartedProcess("store", process, log))
        stack.mongodb_url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        stack.own_store = storage
    return stack


async def close_stack(stack: BenchStack, *, keep_data: bool) -> None:
    """Stop everything started for the run; drop its database and queues unless kept."""
    stack.stop_services()
    if not keep_data:
        # A store started for the run is deleted whole below; dropping millions of documents
        # first would only take minutes.
        if stack.own_store is None:
            client = stack.client()
            with contextlib.suppress(Exception):
                await client.drop_database(stack.database)
            await client.close()
        await _delete_topology(stack.amqp_url, stack.namespace)
    for started in stack.processes:
        if started.name == "store":
            stop(started.process)
    if stack.own_store is not None and not keep_data:
        shutil.rmtree(stack.own_store, ignore_errors=True)


async def _delete_topology(amqp_url: str, namespace: str) -> None:
    topology = Topology(namespace)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for queue in topology.all_queues:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                await channel.queue_delete(queue)
        channel = await connection.channel()
        for exchange in topology.all_exchanges:
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                await channel.exchange_delete(exchange)
