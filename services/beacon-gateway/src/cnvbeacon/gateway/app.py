"""The Beacon gateway: the Beacon v2 API (and the web UI) over the other services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from cnvbeacon.gateway import beacon_api, cors, ingest_api, keys, public_api
from cnvbeacon.gateway.beacon.filter_catalogue import build_filter_catalogue
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.metadata import Metadata
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.gateway.upstream import ServiceClient
from cnvbeacon.gateway.web import routes as web_ui
from cnvbeacon.shared.web import READINESS_CHECKS, ReadinessCheck, amqp_ctx, base_app


async def upstream_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    # JSON calls: a total limit. Streams: none, only an idle one, on connections of their own
    # (long exports never hold up the JSON calls).
    json_timeout = aiohttp.ClientTimeout(
        total=settings.upstream_timeout_s, sock_connect=settings.upstream_connect_timeout_s
    )
    stream_timeout = aiohttp.ClientTimeout(
        total=None,
        connect=settings.upstream_connect_timeout_s,
        sock_read=settings.upstream_stream_idle_s,
    )
    async with (
        aiohttp.ClientSession(timeout=json_timeout) as session,
        aiohttp.ClientSession(timeout=stream_timeout) as streams,
        aiohttp.ClientSession() as peer_session,
    ):
        app[keys.QUERY] = ServiceClient(session, streams, settings.query_url, "query")
        app[keys.INGEST] = ServiceClient(session, streams, settings.ingest_url, "ingest")
        app[keys.METADATA] = Metadata(app[keys.QUERY], settings.metadata_cache_s)
        app[keys.PEER_SESSION] = peer_session
        app[READINESS_CHECKS]["query"] = _service_ready(keys.QUERY)
        app[READINESS_CHECKS]["ingest"] = _service_ready(keys.INGEST)
        yield


def _service_ready(key: web.AppKey[ServiceClient]) -> ReadinessCheck:
    """Ready when the service is: its own readiness covers its store and broker."""

    async def check(app: web.Application) -> None:
        async with asyncio.timeout(app[keys.SETTINGS].readiness_timeout_s):
            await app[key].get_json("/readyz")

    return check


def create_app(settings: GatewaySettings | None = None) -> web.Application:
    settings = settings or GatewaySettings()
    app = base_app(settings, middlewares=(cors.preflight, beacon_api.beacon_errors))
    app[keys.SETTINGS] = settings
    app[keys.IDENTITY] = settings.identity()
    app[keys.CATALOGUE] = build_filter_catalogue()
    app[keys.POLICY] = RequestPolicy(
        max_limit=settings.max_page_size, default_limit=settings.default_page_size
    )
    app[keys.SECURITY] = settings.security()
    app.cleanup_ctx.extend([amqp_ctx, upstream_ctx])
    cors.add_cors(app)
    beacon_api.add_routes(app)
    ingest_api.add_routes(app)
    public_api.add_routes(app)
    web_ui.add_routes(app)
    return app
