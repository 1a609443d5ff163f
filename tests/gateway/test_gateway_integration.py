"""The gateway with its real upstreams: readiness, and submissions with live progress events.
(Beacon queries: test_golden_hg00096.py and test_compliance.py.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import ClientSession

from tests.conftest import HG00096_VCF
from tests.gateway.schema_validation import validate
from tests.gateway.stacks import Stack
from tests.ingest.test_ingest_integration import AUTH

pytestmark = pytest.mark.integration


async def test_gateway_readiness_includes_its_upstreams(stack: Stack) -> None:
    async with ClientSession() as session, session.get(f"{stack.gateway}/readyz") as response:
        body = await response.json()
    assert response.status == 200
    assert body["checks"] == {"query": "ok", "ingest": "ok", "rabbitmq": "ok"}


async def test_upload_through_the_gateway_with_live_events(stack: Stack) -> None:
    events: list[dict[str, Any]] = []
    async with ClientSession() as session:
        async with session.get(f"{stack.gateway}/api/ingest/events") as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            await stream.content.readline()  # ": connected"
            async with session.post(
                f"{stack.gateway}/api/ingest/jobs",
                params={"dataset": "upload"},
                data=HG00096_VCF.read_bytes(),
                headers=AUTH,
            ) as response:
                job = await response.json()
                assert response.status == 202, job
            async with asyncio.timeout(60):
                while not events or events[-1]["state"] not in ("succeeded", "failed"):
                    line = (await stream.content.readline()).decode().strip()
                    if line.startswith("data: "):
                        event = json.loads(line.removeprefix("data: "))
                        if event["job_id"] == job["id"]:
                            events.append(event)
        assert events[0]["state"] == "queued"
        assert events[-1]["state"] == "succeeded"
        assert events[-1]["counts"]["calls_stored"] == 591
        async with session.get(f"{stack.gateway}/api/ingest/jobs/{job['id']}") as response:
            assert (await response.json())["state"] == "succeeded"
        async with session.post(
            f"{stack.gateway}/api/ingest/jobs", data=b"x", headers={"Authorization": "Bearer wrong"}
        ) as response:
            body = await response.json()
        assert response.status == 401
        validate(body, "framework/json/responses/beaconErrorResponse.json")
        assert "admin token" in body["error"]["errorMessage"]
