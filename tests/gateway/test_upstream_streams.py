"""The gateway's calls to the query service, against a stand-in query service on a real port:
streams (exports and other pass-throughs) are never cut by the JSON timeout, a stream that
breaks after its headers were sent ends so that the client notices, a JSON answer slower
than the JSON timeout is a 504 and an unreachable service a 503 (Beacon error bodies)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from cnvbeacon.gateway.app import create_app as create_gateway
from cnvbeacon.gateway.public_api import openapi_document
from cnvbeacon.gateway.settings import GatewaySettings
from tests.conftest import Backends
from tests.gateway.schema_validation import validate
from tests.gateway.test_openapi import resolve
from tests.support.services import serve

pytestmark = pytest.mark.integration

DATASET = "standin"
JSON_TIMEOUT_S = 1.0  # what must come faster (a first part, the datasets) has ample time
PAUSE_S = 2.0  # longer than the JSON timeout, far shorter than the stream idle limit
DEADLINE_S = 60  # no test waits this long unless the gateway hangs
CHUNKS = [f"line {i}\t{'x' * 1000}\n".encode() * 70 for i in range(3)]  # ~70 kB each
ERROR_SCHEMA = "framework/json/responses/beaconErrorResponse.json"
EXPORT_PATH = "/api/exports/calls"
EXPORT = f"/api/exports/calls?format=tsv&datasets={DATASET}&chrom=1&start=0&end=1000"
LOOKUP = f"/api/query/calls?datasets={DATASET}&chrom=1&start=0&end=1000"
BEACON_QUERY = (
    f"/api/g_variants?referenceName=1&start=1000&end=2000&assemblyId=GRCh38"
    f"&datasetIds={DATASET}&requestedGranularity=count"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def ingest_datasets(request: web.Request) -> web.Response:
    """The ingest service's part: one GRCh38 dataset (Beacon queries read the datasets)."""
    dataset = {"id": DATASET, "assembly": "GRCh38", "created_at": "2026-01-01T00:00:00+00:00"}
    return web.json_response({"datasets": [dataset]})


def stand_in(handler: Handler) -> web.Application:
    app = web.Application()
    app.router.add_get("/{path:.*}", handler)
    return app


@contextlib.contextmanager
def refusing_url() -> Iterator[str]:
    """A local port nothing listens on (bound, never listening: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextlib.asynccontextmanager
async def gateway(
    backends: Backends,
    query: Handler | str,
    release: asyncio.Event | None = None,
    **settings: Any,
) -> AsyncIterator[str]:
    """The real gateway over a stand-in query service (``query``: its handler, or the URL of
    one); ``release`` is set before anything stops, so that waiting handlers end."""
    async with contextlib.AsyncExitStack() as stack:
        ingest_url = await stack.enter_async_context(serve(stand_in(ingest_datasets)))
        query_url = query
        if not isinstance(query, str):
            query_url = await stack.enter_async_context(serve(stand_in(query)))
        config = GatewaySettings.model_validate(
            {
                "mongodb_url": backends.mongodb_url,
                "mongodb_database": backends.database,
                "amqp_url": backends.amqp_url,
                "amqp_namespace": backends.namespace,
                "log_json": False,
                "query_url": query_url,
                "ingest_url": ingest_url,
                "upstream_timeout_s": JSON_TIMEOUT_S,
                "upstream_stream_idle_s": 60,
                **settings,
            }
        )
        url = await stack.enter_async_context(serve(create_gateway(config)))
        if release is not None:
            stack.callback(release.set)
        yield url


def tsv_response() -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/tab-separated-values; charset=utf-8",
            "Content-Disposition": 'attachment; filename="calls.tsv"',
        }
    )
    response.enable_chunked_encoding()
    return response


@pytest.mark.parametrize("path", [EXPORT, LOOKUP], ids=["export", "json-lookup"])
async def test_a_stream_pausing_longer_than_the_json_timeout_arrives_whole(
    backends_env: Backends, path: str
) -> None:
    """Parts reach the client as they come (the second is only sent once the client has the
    first), and pauses longer than the JSON timeout, before an export's headers and between
    parts, cut nothing."""
    first_received = asyncio.Event()
    export = path.startswith("/api/exports")

    async def slow(request: web.Request) -> web.StreamResponse:
        if export:
            await asyncio.sleep(PAUSE_S)  # an export may take a while to begin
        response = tsv_response()
        await response.prepare(request)
        await response.write(CHUNKS[0])
        await first_received.wait()
        for chunk in CHUNKS[1:]:
            await asyncio.sleep(PAUSE_S)
            await response.write(chunk)
        await response.write_eof()
        return response

    async with (
        gateway(backends_env, slow, first_received) as url,
        aiohttp.ClientSession() as session,
        asyncio.timeout(DEADLINE_S),
        session.get(url + path) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Disposition"] == 'attachment; filename="calls.tsv"'
        received = await response.content.readexactly(len(CHUNKS[0]))
        first_received.set()
        received += await response.read()
    assert received == b"".join(CHUNKS)


def gateway_cuts(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name.startswith("cnvbeacon.gateway") and "stream cut" in r.getMessage()
    ]


def assert_access_log_says_cut(caplog: pytest.LogCaptureFixture) -> None:
    """The request's access log line is an error naming the cut, not a plain 200."""
    lines = [
        r
        for r in caplog.records
        if r.name == "cnvbeacon.shared.web" and EXPORT_PATH in r.getMessage()
    ]
    assert [r.levelno for r in lines] == [logging.ERROR], [r.getMessage() for r in lines]
    assert "stream cut" in lines[0].getMessage()


async def test_an_upstream_dropping_mid_stream_cuts_the_clients_answer(
    backends_env: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cnvbeacon.gateway")
    client_has_them = asyncio.Event()
    sent = b"".join(CHUNKS[:2])

    async def dropping(request: web.Request) -> web.StreamResponse:
        response = tsv_response()
        await response.prepare(request)
        await response.write(sent)
        await client_has_them.wait()
        assert request.transport is not None
        request.transport.abort()  # without the final chunk
        return response

    async with (
        gateway(backends_env, dropping, client_has_them) as url,
        aiohttp.ClientSession() as session,
        asyncio.timeout(DEADLINE_S),
        session.get(url + EXPORT) as response,
    ):
        assert response.status == 200
        assert await response.content.readexactly(len(sent)) == sent
        client_has_them.set()
        with pytest.raises(aiohttp.ClientPayloadError) as raised:
            await response.read()
    assert "TransferEncodingError" in str(raised.value)
    cuts = gateway_cuts(caplog)
    assert len(cuts) == 1
    assert cuts[0].levelno == logging.ERROR
    assert_access_log_says_cut(caplog)
    assert "/api/exports/calls" in cuts[0].getMessage()
    assert "broke off" in cuts[0].getMessage()
    assert cuts[0].__dict__["bytes_sent"] == len(sent)


async def test_an_upstream_idle_past_the_stream_limit_cuts_the_clients_answer(
    backends_env: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cnvbeacon.gateway")
    release = asyncio.Event()

    async def stalling(request: web.Request) -> web.StreamResponse:
        response = tsv_response()
        await response.prepare(request)
        await response.write(CHUNKS[0])
        await release.wait()  # sends nothing more until the test ends
        return response

    async with (
        gateway(backends_env, stalling, release, upstream_stream_idle_s=2.0) as url,
        aiohttp.ClientSession() as session,
        asyncio.timeout(DEADLINE_S),
        session.get(url + EXPORT) as response,
    ):
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    cuts = gateway_cuts(caplog)
    assert [r.levelno for r in cuts] == [logging.ERROR]
    assert_access_log_says_cut(caplog)
    assert "sent nothing for 2 s" in cuts[0].getMessage()
    assert cuts[0].__dict__["bytes_sent"] == len(CHUNKS[0])


async def test_a_client_going_away_mid_export_stops_the_upstream_stream(
    backends_env: Backends,
) -> None:
    upstream_cut = asyncio.Event()

    async def endless(request: web.Request) -> web.StreamResponse:
        response = tsv_response()
        await response.prepare(request)
        try:
            while True:
                await response.write(CHUNKS[0])
        finally:
            # A write failed, or the handler was cancelled (the test server cancels the
            # handlers of requests whose client went away): the gateway hung up.
            upstream_cut.set()

    async with (
        gateway(backends_env, endless, upstream_cut) as url,
        aiohttp.ClientSession() as session,
        asyncio.timeout(DEADLINE_S),
    ):
        async with session.get(url + EXPORT) as response:
            await response.content.readexactly(len(CHUNKS[0]))
            response.close()
        await upstream_cut.wait()


@pytest.mark.parametrize(
    "path",
    [BEACON_QUERY, f"/api/query/counts?datasets={DATASET}", "/api/query/datasets"],
    ids=["beacon", "lookup", "datasets"],
)
async def test_a_json_answer_slower_than_the_timeout_is_a_504(
    backends_env: Backends, path: str
) -> None:
    release = asyncio.Event()

    async def silent(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.json_response({})

    async with (
        gateway(backends_env, silent, release) as url,
        aiohttp.ClientSession() as session,
        asyncio.timeout(DEADLINE_S),
        session.get(url + path) as response,
    ):
        body = await response.json()
    assert response.status == 504
    validate(body, ERROR_SCHEMA)
    assert body["error"] == {
        "errorCode": 504,
        "errorMessage": f"the query service did not answer within {JSON_TIMEOUT_S:g} s",
    }


@pytest.mark.parametrize(
    "path",
    [BEACON_QUERY, f"/api/query/counts?datasets={DATASET}", EXPORT],
    ids=["beacon", "lookup", "export"],
)
async def test_a_query_service_refusing_connections_is_a_503(
    backends_env: Backends, path: str
) -> None:
    with refusing_url() as query_url:
        async with (
            gateway(backends_env, query_url) as url,
            aiohttp.ClientSession() as session,
            asyncio.timeout(DEADLINE_S),
            session.get(url + path) as response,
        ):
            body = await response.json()
    assert response.status == 503
    validate(body, ERROR_SCHEMA)
    assert body["error"]["errorCode"] == 503
    assert body["error"]["errorMessage"].startswith("the query service is unavailable:")


def test_the_stream_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = GatewaySettings()
    assert (defaults.upstream_timeout_s, defaults.upstream_stream_idle_s) == (4.0, 300.0)
    monkeypatch.setenv("CNVB_UPSTREAM_STREAM_IDLE_S", "900")
    monkeypatch.setenv("CNVB_UPSTREAM_CONNECT_TIMEOUT_S", "1.5")
    settings = GatewaySettings()
    assert (settings.upstream_stream_idle_s, settings.upstream_connect_timeout_s) == (900.0, 1.5)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/g_variants", "post"),
        ("/api/datasets/{id}", "get"),
        ("/api/query/counts", "get"),
        ("/api/exports/calls", "get"),
    ],
)
def test_the_openapi_document_lists_the_504_beside_the_503(path: str, method: str) -> None:
    document = openapi_document()
    responses = resolve(document, document["paths"][path])[method]["responses"]
    assert responses["504"] == responses["503"] == {"$ref": "#/components/responses/BeaconError"}
