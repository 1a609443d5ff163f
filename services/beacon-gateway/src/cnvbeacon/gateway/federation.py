"""Aggregator mode: the same Beacon request sent to every peer at once, each with a deadline.

A peer is a Beacon v2 base URL (``https://beacon.example.org/api``); a request to our
``/api/<path>?<query>`` goes to ``<peer>/<path>?<query>`` (POST with the same body). The
request carries :data:`FORWARDED_HEADER`, and a request that carries it is answered from our
own data only, so two aggregators peering each other do not loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence

import aiohttp
from aiohttp import web

from cnvbeacon.gateway.beacon.aggregation import MemberAnswer, MemberStatus, malformed
from cnvbeacon.gateway.beacon.json_types import JsonObject

FORWARDED_HEADER = "X-Beacon-Aggregator"
API_PREFIX = "/api"
# Why an answer is unusable, or None.
AnswerCheck = Callable[[object], str | None]


def is_forwarded(request: web.Request) -> bool:
    return FORWARDED_HEADER in request.headers


def _error_message(body: bytes, status: int) -> str:
    try:
        document = json.loads(body)
        message = document["error"]["errorMessage"]
    except (ValueError, KeyError, TypeError):
        message = None
    return f"HTTP {status}" + (f": {message}" if message else "")


async def ask_peer(
    session: aiohttp.ClientSession,
    peer: str,
    request: web.Request,
    body: bytes | None,
    aggregator_id: str,
    timeout_s: float,
    check: AnswerCheck = malformed,
) -> MemberAnswer:
    url = f"{peer}{request.path.removeprefix(API_PREFIX)}"
    headers = {FORWARDED_HEADER: aggregator_id, "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        async with asyncio.timeout(timeout_s):
            async with session.request(
                request.method, url, params=request.query, data=body, headers=headers
            ) as response:
                content = await response.read()
    except TimeoutError:
        return MemberAnswer(
            peer, MemberStatus.TIMEOUT, elapsed(), error=f"no answer in {timeout_s} s"
        )
    except aiohttp.ClientError as error:
        return MemberAnswer(peer, MemberStatus.ERROR, elapsed(), error=f"{type(error).__name__}")
    if response.status == 404:
        return MemberAnswer(peer, MemberStatus.NOT_FOUND, elapsed())
    if response.status >= 400:
        return MemberAnswer(
            peer, MemberStatus.ERROR, elapsed(), error=_error_message(content, response.status)
        )
    try:
        document = json.loads(content)
    except ValueError:
        return MemberAnswer(peer, MemberStatus.ERROR, elapsed(), error="the answer is not JSON")
    problem = check(document)
    if problem is not None:
        return MemberAnswer(peer, MemberStatus.ERROR, elapsed(), error=problem)
    return MemberAnswer(peer, MemberStatus.OK, elapsed(), document=document)


async def ask_peers(
    session: aiohttp.ClientSession,
    peers: Sequence[str],
    request: web.Request,
    aggregator_id: str,
    timeout_s: float,
    check: AnswerCheck = malformed,
) -> list[MemberAnswer]:
    body = await request.read() if request.method == "POST" else None
    return list(
        await asyncio.gather(
            *(
                ask_peer(session, peer, request, body, aggregator_id, timeout_s, check)
                for peer in peers
            )
        )
    )


def own_answer(
    url: str, beacon_id: str, document: JsonObject | None, elapsed_ms: float
) -> MemberAnswer:
    """Our own local answer as a member (``None``: we have no such entry)."""
    if document is None:
        return MemberAnswer(url, MemberStatus.NOT_FOUND, elapsed_ms, name=beacon_id)
    return MemberAnswer(url, MemberStatus.OK, elapsed_ms, document=document, name=beacon_id)
