"""Request bodies read whole are bounded per service: a Beacon POST over the gateway's limit
gets a 413 with a Beacon error body; a submission's upload streams past it (its own limit
is the ingest service's max_upload_bytes)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from tests.conftest import HG00096_VCF
from tests.gateway.stacks import Stack, running_stack
from tests.ingest.test_ingest_integration import AUTH

pytestmark = pytest.mark.integration
LIMIT = 8 * 1024


@pytest_asyncio.fixture(scope="module")
async def stack(mongodb_url: str, amqp_url: str) -> AsyncIterator[Stack]:
    async with running_stack(mongodb_url, amqp_url, max_request_body_bytes=LIMIT) as running:
        yield running


async def test_an_oversized_beacon_post_is_a_413_beacon_error(stack: Stack) -> None:
    query = {"query": {"requestParameters": {"referenceName": "1", "start": [0], "end": [10]}}}
    body = json.dumps({**query, "padding": "x" * (2 * LIMIT)})
    async with (
        ClientSession() as session,
        session.post(
            f"{stack.api}/g_variants", data=body, headers={"Content-Type": "application/json"}
        ) as response,
    ):
        answer = await response.json()
    assert response.status == 413
    assert answer["error"]["errorCode"] == 413
    small = json.dumps(query)
    async with (
        ClientSession() as session,
        session.post(
            f"{stack.api}/g_variants", data=small, headers={"Content-Type": "application/json"}
        ) as response,
    ):
        assert response.status == 200, await response.text()


async def test_an_upload_through_the_gateway_streams_past_the_limit(stack: Stack) -> None:
    assert HG00096_VCF.stat().st_size > LIMIT
    async with (
        ClientSession() as session,
        session.post(
            f"{stack.api}/ingest/jobs",
            params={"dataset": "big", "filename": HG00096_VCF.name},
            data=HG00096_VCF.read_bytes(),
            headers=AUTH,
        ) as response,
    ):
        assert response.status == 202, await response.text()
