"""HTTP API of the query service (consumed by the gateway, the UI and the analyses).

Routes are documented in data/openapi.json, served at GET /openapi.json.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import resources
from typing import Any

from aiohttp import web

from cnvbeacon.query import lookup_handlers, record_handlers
from cnvbeacon.query.params import ParameterError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, message: str, parameter: str | None = None) -> web.Response:
    return web.json_response(
        {"error": {"status": status, "message": message, "parameter": parameter}}, status=status
    )


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ParameterError as error:
        return error_response(400, error.message, error.parameter)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return error_response(error.status, error.text or error.reason)


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("cnvbeacon.query").joinpath("data/openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


async def get_openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/openapi.json", get_openapi)
    router.add_get("/calls", lookup_handlers.get_calls)
    router.add_get("/variants", lookup_handlers.get_variants)
    router.add_get("/variant_regions", lookup_handlers.get_variant_regions)
    router.add_get("/counts", lookup_handlers.get_counts)
    router.add_get("/biosamples", lookup_handlers.get_biosamples)
    router.add_get("/individuals", lookup_handlers.get_individuals)
    router.add_get("/carrier_groups", lookup_handlers.get_carrier_groups)
    router.add_get("/calls/{id}", record_handlers.get_call)
    router.add_get("/variants/{id}", record_handlers.get_variant)
    router.add_get("/biosamples/{id}", record_handlers.get_biosample)
    router.add_get("/biosamples/{id}/calls", record_handlers.get_biosample_calls)
    router.add_get("/individuals/{id}", record_handlers.get_individual)
    router.add_get("/datasets", record_handlers.get_datasets)
    router.add_get("/datasets/{id}", record_handlers.get_dataset)
    router.add_get("/populations", record_handlers.get_populations)
