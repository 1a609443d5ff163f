"""HTTP API of the query service (consumed by the gateway, the UI and the analyses)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cnvbeacon.query import keys
from cnvbeacon.query.calls import find_calls
from cnvbeacon.query.params import ParameterError, parse_lookup, parse_page
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import DATASETS
from cnvbeacon.shared.web import DATABASE

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
        return error_response(error.status, error.reason)


async def dataset_ids(db: Database) -> tuple[str, ...]:
    return tuple([d["_id"] async for d in db[DATASETS].find({}, {"_id": 1}).sort("_id", 1)])


def call_view(call: Document) -> dict[str, Any]:
    view = {k: v for k, v in call.items() if k != "_id"}
    view["id"] = call["_id"]
    return view


async def get_calls(request: web.Request) -> web.Response:
    """Calls matching a lookup, one page of them and the total count."""
    settings = request.app[keys.SETTINGS]
    db = request.app[DATABASE]
    params = dict(request.query)
    lookup, region = parse_lookup(
        params, datasets=await dataset_ids(db), default_assembly=settings.default_assembly
    )
    skip, limit = parse_page(params, settings.default_page_size, settings.max_page_size)
    total = 0
    page: list[dict[str, Any]] = []
    async for call in find_calls(db, lookup):
        if skip <= total < skip + limit:
            page.append(call_view(call))
        total += 1
    return web.json_response(
        {
            "query": {
                "datasets": list(lookup.dataset_ids),
                "assembly": region.assembly,
                "chrom": region.chrom,
                "start": region.start,
                "end": region.end,
                "label": region.label,
                "match": lookup.window.match.value,
                "skip": skip,
                "limit": limit,
            },
            "total_calls": total,
            "calls": page,
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/calls", get_calls)
