"""The thinnest real path through all three services: a queued VCF becomes a Beacon answer."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.gateway.app import create_app as create_gateway
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.ingest.app import create_app as create_ingest
from cnvbeacon.query.app import create_app as create_query
from cnvbeacon.query.settings import QuerySettings
from tests.conftest import HG00096_VCF, Backends
from tests.gateway.schema_validation import validate
from tests.ingest.test_ingest_integration import AUTH, ingest_settings, submit_file
from tests.support.services import serve, wait_for_job

pytestmark = pytest.mark.integration


@dataclass(frozen=True, slots=True)
class Stack:
    ingest: str
    query: str
    gateway: str


def vcf_calls(path: Path) -> list[tuple[str, int, int, str]]:
    """(chrom, start, end, ALT) of every record, read without our parser."""
    calls = []
    for line in gzip.decompress(path.read_bytes()).decode().splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        end = int(fields[7].split("END=")[1].split(";")[0])
        calls.append((fields[0], int(fields[1]), end, fields[4]))
    return calls


@pytest_asyncio.fixture
async def stack(backends_env: Backends) -> AsyncIterator[Stack]:
    common = {
        "mongodb_url": backends_env.mongodb_url,
        "mongodb_database": backends_env.database,
        "amqp_url": backends_env.amqp_url,
        "amqp_namespace": backends_env.namespace,
        "log_json": False,
    }
    async with (
        serve(create_ingest(ingest_settings(backends_env))) as ingest,
        serve(create_query(QuerySettings.model_validate(common))) as query,
    ):
        gateway_settings = GatewaySettings.model_validate(
            {**common, "query_url": query, "ingest_url": ingest, "public_url": "http://beacon.test"}
        )
        async with serve(create_gateway(gateway_settings)) as gateway:
            async with ClientSession() as session:
                job_id = await submit_file(session, ingest, HG00096_VCF, sample="HG00096")
                assert (await wait_for_job(session, ingest, job_id))["state"] == "succeeded"
            yield Stack(ingest, query, gateway)


async def test_info_and_range_query_through_the_gateway(stack: Stack) -> None:
    async with ClientSession() as session:
        async with session.get(f"{stack.gateway}/api/info") as response:
            info = await response.json()
        assert response.status == 200
        validate(info, "framework/json/responses/beaconInfoResponse.json")
        assert info["meta"]["beaconId"] == "org.cnvbeacon"

        start, end = 16_000_000, 17_000_000
        expected = [
            c for c in vcf_calls(HG00096_VCF) if c[0] == "chr1" and c[1] < end and c[2] > start
        ]
        assert len(expected) >= 3
        params = {
            "referenceName": "chr1",
            "start": str(start),
            "end": str(end),
            "requestedGranularity": "record",
            "limit": "100",
        }
        async with session.get(f"{stack.gateway}/api/g_variants", params=params) as response:
            body = await response.json()
        assert response.status == 200, body
        validate(body, "framework/json/responses/beaconResultsetsResponse.json")
        assert body["responseSummary"]["numTotalResults"] == len(expected)
        (result_set,) = body["response"]["resultSets"]
        assert result_set["id"] == "test"
        assert result_set["resultsCount"] == len(expected)
        for record in result_set["results"]:
            validate(
                record, "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
            )
        locations = sorted(
            (
                r["variation"]["subject"]["interval"]["start"]["value"],
                r["variation"]["subject"]["interval"]["end"]["value"],
            )
            for r in result_set["results"]
        )
        assert locations == sorted((c[1], c[2]) for c in expected)

        params["requestedGranularity"] = "count"
        async with session.get(f"{stack.gateway}/api/g_variants", params=params) as response:
            counted = await response.json()
        validate(counted, "framework/json/responses/beaconCountResponse.json")
        assert counted["responseSummary"] == {"exists": True, "numTotalResults": len(expected)}


async def test_bad_requests_get_beacon_error_bodies(stack: Stack) -> None:
    async with ClientSession() as session:
        for params, fragment in (
            ({"referenceName": "chr99", "start": "1", "end": "10"}, "chr99"),
            ({"referenceName": "1", "start": "10", "end": "5"}, "start"),
            ({"referenceName": "1", "start": "1", "end": "5", "bogus": "1"}, "bogus"),
        ):
            async with session.get(f"{stack.gateway}/api/g_variants", params=params) as response:
                body = await response.json()
            assert response.status == 400, body
            validate(body, "framework/json/responses/beaconErrorResponse.json")
            assert fragment in body["error"]["errorMessage"]
        async with session.get(f"{stack.gateway}/api/nothing_here") as response:
            body = await response.json()
        assert response.status == 404
        validate(body, "framework/json/responses/beaconErrorResponse.json")


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
