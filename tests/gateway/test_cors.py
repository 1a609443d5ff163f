"""CORS on the public API, against a whole stack: any origin may read Beacon and our
read-only endpoints (answers, streamed exports and preflights), admin endpoints stay
same-origin, configured origins are echoed one by one, and a 405 says what is allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from tests.gateway.stacks import ONE_KGP, Stack, running_stack

pytestmark = pytest.mark.integration
ELSEWHERE = "https://beacon-network.example"


@pytest_asyncio.fixture(scope="module")
async def stack(mongodb_url: str, amqp_url: str) -> AsyncIterator[Stack]:
    async with running_stack(mongodb_url, amqp_url) as running:
        yield running


@pytest_asyncio.fixture(scope="module")
async def listed(mongodb_url: str, amqp_url: str) -> AsyncIterator[Stack]:
    async with running_stack(
        mongodb_url, amqp_url, {ONE_KGP: False}, cors_origins="https://a.example"
    ) as running:
        yield running


@pytest.mark.parametrize(
    "path",
    [
        "/api/info",
        "/api/g_variants?referenceName=1&start=0&end=3000000&requestedGranularity=count",
        "/api/query/counts?chrom=1",
        "/api/exports/calls?chrom=1&start=0&end=3000000&format=bed",
    ],
)
async def test_any_origin_may_read_the_public_api(stack: Stack, path: str) -> None:
    async with (
        ClientSession() as session,
        session.get(f"{stack.gateway}{path}", headers={"Origin": ELSEWHERE}) as response,
    ):
        await response.read()
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_a_preflight_is_answered_for_beacon_posts(stack: Stack) -> None:
    headers = {
        "Origin": ELSEWHERE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with (
        ClientSession() as session,
        session.options(f"{stack.gateway}/api/g_variants", headers=headers) as response,
    ):
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


async def test_admin_endpoints_are_not_opened_to_other_origins(stack: Stack) -> None:
    headers = {"Origin": ELSEWHERE, "Access-Control-Request-Method": "POST"}
    async with ClientSession() as session:
        async with session.options(f"{stack.gateway}/api/ingest/jobs", headers=headers) as response:
            assert response.status == 405
            assert "Access-Control-Allow-Origin" not in response.headers
        async with session.get(
            f"{stack.gateway}/api/ingest/jobs", headers={"Origin": ELSEWHERE}
        ) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
        async with session.get(f"{stack.gateway}/", headers={"Origin": ELSEWHERE}) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_a_405_names_the_allowed_methods_in_a_beacon_error(stack: Stack) -> None:
    async with (
        ClientSession() as session,
        session.request("TRACE", f"{stack.gateway}/api/info") as response,
    ):
        body = await response.json()
    assert response.status == 405
    assert "GET" in response.headers["Allow"]
    assert body["error"]["errorCode"] == 405


async def test_configured_origins_are_echoed_and_others_get_nothing(listed: Stack) -> None:
    async with ClientSession() as session:
        async with session.get(
            f"{listed.gateway}/api/info", headers={"Origin": "https://a.example"}
        ) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
            assert "Origin" in response.headers.getall("Vary")
        async with session.get(
            f"{listed.gateway}/api/info", headers={"Origin": "https://b.example"}
        ) as response:
            assert response.status == 200
            assert "Access-Control-Allow-Origin" not in response.headers
