"""Where the test suite finds a real MongoDB and RabbitMQ.

In order: URLs from the environment (CNVB_TEST_MONGODB_URL, CNVB_TEST_AMQP_URL);
testcontainers (real `mongo` and `rabbitmq` images) when a Docker engine answers;
else local processes (a SecantusDB subprocess on a free port, the machine's RabbitMQ).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import localstack


def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def mongodb(scratch: Path) -> Iterator[str]:
    if url := os.environ.get("CNVB_TEST_MONGODB_URL"):
        yield url
        return
    if docker_available():
        from testcontainers.mongodb import MongoDbContainer

        with MongoDbContainer("mongo:8") as container:
            yield container.get_connection_url()
        return
    port = localstack.free_port()
    process = localstack.start_secantus(port, scratch / "secantus", scratch / "secantus.log")
    try:
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def rabbitmq() -> Iterator[str]:
    if url := os.environ.get("CNVB_TEST_AMQP_URL"):
        yield url
        return
    if docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as container:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
        return
    localstack.ensure_rabbitmq(localstack.DEFAULT_AMQP_URL)
    yield localstack.DEFAULT_AMQP_URL
