"""Running our services inside the test process on real ports, against the real backends."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from cnvbeacon.query.settings import QuerySettings


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Start the app (running its cleanup contexts) and yield its base URL."""
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def read_model_directory() -> str:
    """A directory of its own for one query service's read model (replicas never share)."""
    return tempfile.mkdtemp(prefix="cnvb-read-model-")


def query_settings(values: dict[str, Any]) -> QuerySettings:
    """Query service settings with a read model directory of its own."""
    return QuerySettings.model_validate({"read_model_directory": read_model_directory(), **values})


async def wait_ready(session: ClientSession, url: str, timeout: float = 120.0) -> None:
    """Wait until a service's /readyz answers 200 (a query service: its read model has
    caught up with the store)."""

    async def ready() -> bool:
        async with session.get(f"{url}/readyz") as response:
            return response.status == 200

    await wait_for(ready, timeout=timeout, what=f"{url}/readyz")


async def sync_read_model(session: ClientSession, query_url: str) -> None:
    """Make a query service catch up with the store now (answers once it has)."""
    async with session.post(f"{query_url}/read-model/sync") as response:
        assert response.status == 200, await response.text()


async def wait_for(
    probe: Callable[[], Any], *, timeout: float = 60.0, interval: float = 0.2, what: str = ""
) -> Any:
    """Poll an async probe until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or probe}")
        await asyncio.sleep(interval)


async def wait_for_job(
    session: ClientSession, ingest_url: str, job_id: str, timeout: float = 120.0
) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        async with session.get(f"{ingest_url}/jobs/{job_id}") as response:
            job: dict[str, Any] = await response.json()
        return job if job["state"] in ("succeeded", "failed") else None

    result: dict[str, Any] = await wait_for(finished, timeout=timeout, what=f"job {job_id}")
    return result


async def wait_for_batch(
    session: ClientSession, ingest_url: str, batch_id: str, timeout: float = 120
) -> dict[str, Any]:
    """The batch once every one of its jobs finished (they are created in the background)."""

    async def finished() -> dict[str, Any] | None:
        async with session.get(f"{ingest_url}/batches/{batch_id}") as response:
            batch: dict[str, Any] = await response.json()
        return batch if batch["finished"] else None

    found: dict[str, Any] = await wait_for(finished, timeout=timeout, what=f"batch {batch_id}")
    return found
