"""Aggregator mode: a gateway federating two of our own stacks, a peer slower than the
timeout, one answering 500, one answering garbage, and a minimal third-party Beacon."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web

from tests.gateway.schema_validation import validate
from tests.gateway.stacks import ONE_KGP, Stack, running_stack
from tests.support.services import serve

pytestmark = pytest.mark.integration

RESPONSES = "framework/json/responses"
PEER_TIMEOUT_S = 1.0
SLOW_S = 4.0
RANGE = {"referenceName": "chr1", "start": "0", "end": "30000000"}
EXTRA_TERM = {"type": "custom", "id": "custom:extra", "label": "a term only the minimal peer has"}


def minimal_beacon_answer(request: web.Request) -> dict[str, Any]:
    meta = {"beaconId": "org.minimal", "apiVersion": "v2.1.1", "returnedSchemas": []}
    if request.path.endswith("/filtering_terms"):
        return {"meta": meta, "response": {"filteringTerms": [EXTRA_TERM], "resources": []}}
    return {
        "meta": {
            **meta,
            "returnedGranularity": "boolean",
            "receivedRequestSummary": {
                "apiVersion": "v2.1.1",
                "requestedSchemas": [],
                "pagination": {"skip": 0, "limit": 10},
                "requestedGranularity": "boolean",
            },
        },
        "responseSummary": {"exists": False},
    }


def peer_app(kind: str) -> web.Application:
    async def answer(request: web.Request) -> web.StreamResponse:
        if kind == "slow":
            await asyncio.sleep(SLOW_S)
            return web.json_response(minimal_beacon_answer(request))
        if kind == "failing":
            return web.Response(status=500, text="Internal Server Error")
        if kind == "garbage":
            return web.Response(text="<html>not a beacon</html>", content_type="text/html")
        return web.json_response(minimal_beacon_answer(request))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


@dataclass(frozen=True, slots=True)
class Network:
    aggregator: Stack
    first: Stack
    second: Stack


@pytest_asyncio.fixture(scope="module")
async def network(mongodb_url: str, amqp_url: str) -> AsyncIterator[Network]:
    async with (
        running_stack(mongodb_url, amqp_url, {ONE_KGP: True}, beacon_id="org.peer.first") as first,
        running_stack(
            mongodb_url, amqp_url, {"other": False}, beacon_id="org.peer.second"
        ) as second,
        serve(peer_app("slow")) as slow,
        serve(peer_app("failing")) as failing,
        serve(peer_app("garbage")) as garbage,
        serve(peer_app("minimal")) as minimal,
    ):
        peers = [first.api, second.api, f"{slow}/api", f"{failing}/api", f"{garbage}/api"]
        async with running_stack(
            mongodb_url,
            amqp_url,
            {},
            beacon_id="org.aggregator",
            peers=",".join([*peers, f"{minimal}/api"]),
            peer_timeout_s=PEER_TIMEOUT_S,
        ) as aggregator:
            yield Network(aggregator, first, second)


async def get(
    session: ClientSession, url: str, params: dict[str, str], **headers: str
) -> tuple[int, dict[str, Any], float]:
    started = time.perf_counter()
    async with session.get(url, params=params, headers=headers) as response:
        body = await response.json()
    return response.status, body, time.perf_counter() - started


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {b["beaconId"]: b["status"] for b in body["info"]["aggregation"]["beacons"]}


async def test_counts_are_summed_and_slow_or_broken_peers_are_reported(network: Network) -> None:
    params = {**RANGE, "requestedGranularity": "count"}
    async with ClientSession() as session:
        _, first, _ = await get(session, f"{network.first.api}/g_variants", params)
        _, second, _ = await get(session, f"{network.second.api}/g_variants", params)
        status, merged, elapsed = await get(session, f"{network.aggregator.api}/g_variants", params)
    assert status == 200, merged
    validate(merged, f"{RESPONSES}/beaconCountResponse.json")
    expected = (
        first["responseSummary"]["numTotalResults"] + second["responseSummary"]["numTotalResults"]
    )
    assert first["responseSummary"]["numTotalResults"] > 0
    assert merged["responseSummary"] == {"exists": True, "numTotalResults": expected}
    assert elapsed < SLOW_S - 1, "the slow peer held the answer up"
    reported = merged["info"]["aggregation"]["beacons"]
    by_url = {b["url"]: b for b in reported}
    assert statuses(merged)["org.aggregator"] == "ok"
    assert statuses(merged)["org.peer.first"] == "ok"
    assert statuses(merged)["org.peer.second"] == "ok"
    assert statuses(merged)["org.minimal"] == "ok"
    assert sorted(b["status"] for b in reported) == sorted(
        ["ok"] * 4 + ["timeout", "error", "error"]
    )
    failing = [b for b in reported if b["status"] == "error"]
    assert {b["error"] for b in failing} == {"HTTP 500", "the answer is not JSON"}
    assert by_url[f"{network.first.api}"]["numTotalResults"] > 0


async def test_result_sets_are_concatenated_and_tagged_with_their_beacon(network: Network) -> None:
    params = {**RANGE, "requestedGranularity": "record", "limit": "3"}
    async with ClientSession() as session:
        status, merged, _ = await get(session, f"{network.aggregator.api}/g_variants", params)
    assert status == 200
    validate(merged, f"{RESPONSES}/beaconResultsetsResponse.json")
    tagged = [(s["id"], s["info"]["beaconId"]) for s in merged["response"]["resultSets"]]
    assert tagged == [(ONE_KGP, "org.peer.first"), ("other", "org.peer.second")]
    for result_set in merged["response"]["resultSets"]:
        assert len(result_set["results"]) == 3
        for record in result_set["results"]:
            validate(
                record, "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
            )
    total = sum(s["resultsCount"] for s in merged["response"]["resultSets"])
    assert merged["responseSummary"]["numTotalResults"] == total


async def test_filtering_terms_are_the_union(network: Network) -> None:
    async with ClientSession() as session:
        _, own, _ = await get(session, f"{network.first.api}/filtering_terms", {})
        status, merged, _ = await get(session, f"{network.aggregator.api}/filtering_terms", {})
    assert status == 200
    validate(merged, f"{RESPONSES}/beaconFilteringTermsResponse.json")
    ids = [term["id"] for term in merged["response"]["filteringTerms"]]
    assert ids == [term["id"] for term in own["response"]["filteringTerms"]] + ["custom:extra"]
    assert statuses(merged)["org.minimal"] == "ok"


async def test_an_entry_only_one_peer_has_and_one_nobody_has(network: Network) -> None:
    params = {"requestedGranularity": "record"}
    async with ClientSession() as session:
        status, found, _ = await get(
            session, f"{network.aggregator.api}/individuals/HG00096", params
        )
        missing_status, missing, _ = await get(
            session, f"{network.aggregator.api}/individuals/NOBODY", params
        )
    assert status == 200, found
    assert [r["id"] for s in found["response"]["resultSets"] for r in s["results"]] == ["HG00096"]
    assert statuses(found)["org.aggregator"] == "not found"
    assert missing_status == 404
    validate(missing, f"{RESPONSES}/beaconErrorResponse.json")


async def test_forwarded_requests_are_answered_locally_only(network: Network) -> None:
    params = {**RANGE, "requestedGranularity": "count"}
    async with ClientSession() as session:
        status, local, elapsed = await get(
            session,
            f"{network.aggregator.api}/g_variants",
            params,
            **{"X-Beacon-Aggregator": "org.somebody"},
        )
    assert status == 200
    assert "info" not in local
    assert local["responseSummary"] == {"exists": False, "numTotalResults": 0}
    assert elapsed < PEER_TIMEOUT_S


async def test_the_aggregation_budget_bounds_every_peer(mongodb_url: str, amqp_url: str) -> None:
    """A peer timeout longer than the budget does not hold the answer: the slow peer is
    reported as timed out at the budget, and our own part still answers."""
    async with (
        serve(peer_app("slow")) as slow,
        running_stack(
            mongodb_url,
            amqp_url,
            {ONE_KGP: False},
            beacon_id="org.budgeted",
            peers=f"{slow}/api",
            peer_timeout_s=60.0,
            aggregation_budget_s=1.0,
        ) as aggregator,
        ClientSession() as session,
    ):
        params = {**RANGE, "requestedGranularity": "count"}
        status, merged, _ = await get(session, f"{aggregator.api}/g_variants", params)
    assert status == 200, merged
    reported = merged["info"]["aggregation"]["beacons"]
    assert sorted(b["status"] for b in reported) == ["ok", "timeout"]
    assert statuses(merged)["org.budgeted"] == "ok"
    assert merged["responseSummary"]["numTotalResults"] > 0
