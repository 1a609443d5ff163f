"""The Beacon v2 endpoints under /api. Handlers are thin: parse with the beacon package,
look up through the query service, build the response with the beacon package."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cnvbeacon.gateway import keys
from cnvbeacon.gateway.beacon.beacon_map import build_map_response
from cnvbeacon.gateway.beacon.configuration import (
    build_configuration_response,
    build_entry_types_response,
)
from cnvbeacon.gateway.beacon.entry_types import entry_type_by_path
from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filtering_terms import build_filtering_terms_response
from cnvbeacon.gateway.beacon.get_request import parse_get_request, parse_get_request_leniently
from cnvbeacon.gateway.beacon.info import build_info_response, build_service_info
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.post_request import (
    parse_post_request,
    parse_post_request_leniently,
)
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.responses import (
    build_boolean_response,
    build_count_response,
    build_error_response,
    build_request_error_response,
)
from cnvbeacon.gateway.beacon.result_sets import ResultSet, build_resultsets_response
from cnvbeacon.gateway.beacon.spec import Granularity, coarser_granularity
from cnvbeacon.gateway.upstream import UpstreamError
from cnvbeacon.gateway.variant_search import datasets_to_search, lookup_parameters
from cnvbeacon.shared.vrs import genomic_variation

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
G_VARIANTS = entry_type_by_path("g_variants")


def beacon_json(document: JsonObject, status: int = 200) -> web.Response:
    return web.json_response(
        document, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":"))
    )


async def _lenient_query(request: web.Request) -> BeaconQuery:
    """What could be understood of a request, for the error response's meta."""
    catalogue, policy = request.app[keys.CATALOGUE], request.app[keys.POLICY]
    if request.method == "POST":
        try:
            body = await request.json()
        except ValueError:
            body = None
        return parse_post_request_leniently(body, catalogue, policy)
    return parse_get_request_leniently(request.query, catalogue, policy)


@web.middleware
async def beacon_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every 4xx/5xx under /api carries a schema-valid Beacon error response."""
    if not request.path.startswith("/api"):
        return await handler(request)
    identity = request.app[keys.IDENTITY]
    try:
        return await handler(request)
    except BeaconRequestError as error:
        response = build_request_error_response(identity, await _lenient_query(request), error)
        return beacon_json(response, error.status)
    except UpstreamError as error:
        status = error.status if error.status < 500 else 503
        message = error.message
        if error.parameter and error.parameter not in message:
            message = f"{message} (parameter {error.parameter!r})"
        response = build_error_response(identity, await _lenient_query(request), status, message)
        return beacon_json(response, status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = error.reason if error.status != 404 else f"no such endpoint: {request.path}"
        response = build_error_response(
            identity, await _lenient_query(request), error.status, message
        )
        return beacon_json(response, error.status)
    except Exception:
        log.exception("unexpected error")
        response = build_error_response(
            identity, await _lenient_query(request), 500, "internal error; it has been logged"
        )
        return beacon_json(response, 500)


async def parse_request(request: web.Request) -> BeaconQuery:
    catalogue, policy = request.app[keys.CATALOGUE], request.app[keys.POLICY]
    if request.method == "POST":
        try:
            body = await request.json()
        except ValueError as error:
            raise BeaconRequestError(400, f"the request body is not valid JSON: {error}") from None
        return parse_post_request(body, catalogue, policy)
    return parse_get_request(request.query, catalogue, policy)


async def info(request: web.Request) -> web.Response:
    return beacon_json(build_info_response(request.app[keys.IDENTITY]))


async def service_info(request: web.Request) -> web.Response:
    return beacon_json(build_service_info(request.app[keys.IDENTITY]))


async def configuration(request: web.Request) -> web.Response:
    app = request.app
    return beacon_json(build_configuration_response(app[keys.IDENTITY], app[keys.SECURITY]))


async def beacon_map(request: web.Request) -> web.Response:
    app = request.app
    base = f"{app[keys.SETTINGS].public_url.rstrip('/')}/api"
    return beacon_json(build_map_response(app[keys.IDENTITY], base))


async def entry_types(request: web.Request) -> web.Response:
    return beacon_json(build_entry_types_response(request.app[keys.IDENTITY]))


async def filtering_terms(request: web.Request) -> web.Response:
    app = request.app
    terms = app[keys.CATALOGUE].filtering_terms()
    return beacon_json(build_filtering_terms_response(app[keys.IDENTITY], terms))


async def known_datasets(app: web.Application) -> list[str]:
    body = await app[keys.INGEST].get_json("/datasets")
    return [str(d["id"]) for d in body["datasets"]]


async def g_variants(request: web.Request) -> web.Response:
    app = request.app
    settings, identity = app[keys.SETTINGS], app[keys.IDENTITY]
    query = await parse_request(request)
    datasets = datasets_to_search(query, await known_datasets(app))
    granularity = query.requested_granularity
    for dataset_id in datasets:
        granularity = coarser_granularity(
            granularity, app[keys.SECURITY].granularity_for(dataset_id)
        )
    params = lookup_parameters(query, settings.default_assembly)
    page = query.pagination

    async def search(dataset_id: str) -> ResultSet:
        if params is None:
            return ResultSet(id=dataset_id, count=0)
        wanted = page.page_size if granularity is Granularity.RECORD else 0
        body: dict[str, Any] = await app[keys.QUERY].get_json(
            "/calls",
            {
                **params,
                "datasets": dataset_id,
                "skip": str(page.offset),
                "limit": str(wanted),
            },
        )
        records = [genomic_variation(stored_call(call)) for call in body["calls"]]
        return ResultSet(id=dataset_id, count=int(body["counts"]["calls"]), results=records)

    result_sets = await asyncio.gather(*(search(d) for d in datasets))
    total = sum(s.count for s in result_sets)
    if granularity is Granularity.BOOLEAN:
        return beacon_json(build_boolean_response(identity, query, G_VARIANTS, total))
    if granularity is Granularity.COUNT:
        return beacon_json(build_count_response(identity, query, G_VARIANTS, total))
    return beacon_json(build_resultsets_response(identity, query, G_VARIANTS, result_sets))


def stored_call(call: dict[str, Any]) -> dict[str, Any]:
    """A call as the query API returns it (`id`) in its stored shape (`_id`)."""
    stored = {k: v for k, v in call.items() if k != "id"}
    stored["_id"] = call["id"]
    return stored


def add_routes(app: web.Application) -> None:
    for path in ("/api", "/api/", "/api/info"):
        app.router.add_get(path, info)
    app.router.add_get("/api/service-info", service_info)
    app.router.add_get("/api/configuration", configuration)
    app.router.add_get("/api/map", beacon_map)
    app.router.add_get("/api/entry_types", entry_types)
    app.router.add_get("/api/filtering_terms", filtering_terms)
    app.router.add_get("/api/g_variants", g_variants)
    app.router.add_post("/api/g_variants", g_variants)
