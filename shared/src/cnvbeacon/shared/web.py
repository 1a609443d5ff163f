"""aiohttp building blocks every service uses: resources in cleanup contexts, request ids,
liveness and readiness routes, and the runner (graceful on SIGTERM)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aio_pika.abc import AbstractRobustConnection
from aiohttp import web

from cnvbeacon.shared import logs, messaging
from cnvbeacon.shared.settings import ServiceSettings
from cnvbeacon.shared.store.client import Database, MongoClient, open_client, ping
from cnvbeacon.shared.store.collections import ensure_indexes

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", ServiceSettings)
MONGO = web.AppKey("mongo", MongoClient)
DATABASE = web.AppKey("database", Database)
AMQP = web.AppKey("amqp", AbstractRobustConnection)
TOPOLOGY = web.AppKey("topology", messaging.Topology)

# Set by a handler whose streamed answer broke after the headers were sent: the access log
# then says so instead of showing the status the client got at the start.
STREAM_CUT = web.RequestKey("stream_cut", str)

ReadinessCheck = Callable[[web.Application], Awaitable[None]]
READINESS_CHECKS = web.AppKey("readiness_checks", dict[str, ReadinessCheck])

STARTUP_RETRY_S = 60.0


async def _retry_until_up(what: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
    """Dependencies may start after us (compose, Kubernetes): retry with backoff for a while."""
    deadline = time.monotonic() + STARTUP_RETRY_S
    delay = 0.2
    while True:
        try:
            return await attempt()
        except Exception as error:
            if time.monotonic() > deadline:
                raise
            log.warning("%s not reachable yet, retrying", what, extra={"error": str(error)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def mongo_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = open_client(settings)
    database = client[settings.mongodb_database]
    await _retry_until_up("MongoDB", lambda: ensure_indexes(database))
    app[MONGO] = client
    app[DATABASE] = database
    app[READINESS_CHECKS]["mongodb"] = _check_mongo
    yield
    await client.close()


async def amqp_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    connection: AbstractRobustConnection = await _retry_until_up(
        "RabbitMQ", lambda: messaging.connect(settings)
    )
    app[AMQP] = connection
    app[TOPOLOGY] = messaging.Topology(settings.amqp_namespace)
    app[READINESS_CHECKS]["rabbitmq"] = _check_amqp
    yield
    await connection.close()


async def _check_mongo(app: web.Application) -> None:
    await ping(app[MONGO], app[SETTINGS].readiness_timeout_s)


async def _check_amqp(app: web.Application) -> None:
    connection = app[AMQP]
    if connection.is_closed or not connection.connected.is_set():
        raise ConnectionError("not connected to the broker")
    # A round trip proves the broker answers, not just that the socket is open.
    async with asyncio.timeout(app[SETTINGS].readiness_timeout_s):
        channel = await connection.channel()
        await channel.close()


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    checks = app[READINESS_CHECKS]

    async def run(name: str, check: ReadinessCheck) -> tuple[str, str | None]:
        try:
            await check(app)
        except Exception as error:
            return name, f"{type(error).__name__}: {error}"
        return name, None

    outcomes = await asyncio.gather(*(run(n, c) for n, c in checks.items()))
    failures = {name: error for name, error in outcomes if error is not None}
    body = {
        "status": "unavailable" if failures else "ready",
        "checks": {name: (failures.get(name) or "ok") for name, _ in outcomes},
    }
    return web.json_response(body, status=503 if failures else 200)


@web.middleware
async def request_context(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Give every request an id (the caller's X-Request-ID if sent) and log it once."""
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    token = logs.request_id.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-ID"] = request_id
        return response
    except web.HTTPException as http_error:
        status = http_error.status
        raise
    finally:
        if request.path not in ("/healthz", "/readyz"):
            cut = request.get(STREAM_CUT)
            log.log(
                logging.ERROR if cut else logging.INFO,
                "%s %s %s%s",
                request.method,
                request.path_qs,
                status,
                f" (stream cut: {cut})" if cut else "",
                extra={
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    **({"stream_cut": cut} if cut else {}),
                },
            )
        logs.request_id.reset(token)


def base_app(settings: ServiceSettings, *, middlewares: tuple[Any, ...] = ()) -> web.Application:
    """An application with settings, request ids and the health routes; services add the rest."""
    app = web.Application(
        middlewares=[request_context, *middlewares],
        client_max_size=settings.max_request_body_bytes,
    )
    app[SETTINGS] = settings
    app[READINESS_CHECKS] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def run(service: str, settings: ServiceSettings, factory: Callable[[], web.Application]) -> None:
    """Serve until SIGINT/SIGTERM; aiohttp then runs every cleanup context (graceful stop)."""
    logs.configure_logging(service, settings.log_level, as_json=settings.log_json)
    log.info("starting %s on %s:%s", service, settings.host, settings.port)
    web.run_app(
        factory(),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=30.0,
    )
