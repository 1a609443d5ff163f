"""Our own (non-Beacon) public endpoints for submitting data and following its progress.

Submissions are streamed through to the ingest service unchanged (it checks the admin
token); progress comes from the ingest events on the broker's topic exchange, relayed to
browsers as Server-Sent Events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import aiohttp
from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web

from cnvbeacon.gateway import keys
from cnvbeacon.gateway.upstream import UpstreamError, call_failed
from cnvbeacon.shared.web import AMQP, TOPOLOGY

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
_FORWARDED_REQUEST_HEADERS = ("Authorization", "Content-Type", "Content-Length", "X-Request-ID")


async def _forward(request: web.Request, path: str) -> web.Response:
    """Pass a request to the ingest service, streaming the body, and return its answer."""
    settings = request.app[keys.SETTINGS]
    headers = {h: request.headers[h] for h in _FORWARDED_REQUEST_HEADERS if h in request.headers}
    # Uploads may be large and slow: no total timeout, but a stalled socket still fails.
    read_s = settings.upstream_timeout_s * 15
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=settings.upstream_connect_timeout_s, sock_read=read_s
    )
    url = f"{settings.ingest_url.rstrip('/')}{path}"
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(
                request.method,
                url,
                params=request.query,
                headers=headers,
                data=request.content if request.body_exists else None,
            ) as upstream,
        ):
            body = await upstream.read()
            if upstream.status >= 400:
                # One error shape under /api: the Beacon error middleware renders it.
                detail = json.loads(body).get("error", {}) if body else {}
                message = str(detail.get("message") or upstream.reason)
                raise UpstreamError(upstream.status, message, detail.get("parameter"))
            return web.Response(
                body=body, status=upstream.status, content_type=upstream.content_type
            )
    except (aiohttp.ClientError, TimeoutError) as error:
        raise call_failed("ingest", error, read_s, settings.upstream_connect_timeout_s) from error


async def post_job(request: web.Request) -> web.Response:
    return await _forward(request, "/jobs")


async def post_batch(request: web.Request) -> web.Response:
    return await _forward(request, "/batches")


async def list_jobs(request: web.Request) -> web.Response:
    return await _forward(request, "/jobs")


async def get_job(request: web.Request) -> web.Response:
    return await _forward(request, f"/jobs/{request.match_info['job_id']}")


async def get_batch(request: web.Request) -> web.Response:
    return await _forward(request, f"/batches/{request.match_info['batch_id']}")


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events of ingest progress: `job` events (queued, running with counts and
    the fraction of the file read, succeeded, failed with file/line/message)."""
    connection = request.app[AMQP]
    topology = request.app[TOPOLOGY]
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(topology.events_exchange, routing_key="job.#")
    relay: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1000)

    async def on_event(message: AbstractIncomingMessage) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            relay.put_nowait(message.body)

    tag = await queue.consume(on_event, no_ack=True)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    try:
        await response.write(b": connected\n\n")
        while True:
            try:
                body = await asyncio.wait_for(relay.get(), timeout=HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            event = json.loads(body)
            await response.write(f"event: job\ndata: {json.dumps(event)}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            await queue.cancel(tag)
            await channel.close()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/ingest/jobs", post_job)
    app.router.add_get("/api/ingest/jobs", list_jobs)
    app.router.add_get("/api/ingest/jobs/{job_id}", get_job)
    app.router.add_post("/api/ingest/batches", post_batch)
    app.router.add_get("/api/ingest/batches/{batch_id}", get_batch)
    app.router.add_get("/api/ingest/events", events)
