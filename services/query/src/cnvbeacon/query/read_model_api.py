"""The read model in the query service: its lifetime, readiness and admin routes.

GET /read-model is its state; POST /read-model/sync catches up with the store now (and
answers when done); POST /read-model/rebuild reads every dataset from the store again
(202: it runs in the background; GET /read-model says when it finished).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from aiohttp import web

from cnvbeacon.query import keys
from cnvbeacon.query.analyses.keys import BROKER
from cnvbeacon.query.read_model import ReadModel
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.query.views import json_ok
from cnvbeacon.shared.web import DATABASE, READINESS_CHECKS

_CREDENTIALS = re.compile(r"//[^@/]*@")


def store_identity(settings: QuerySettings) -> str:
    """Which store (hosts and database, no credentials) a read model follows."""
    hosts = _CREDENTIALS.sub("//", settings.mongodb_url).split("?", 1)[0]
    return f"{hosts} {settings.mongodb_database}"


async def read_model_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    model = ReadModel(
        app[DATABASE],
        settings.read_model_directory,
        source=store_identity(settings),
        memory_limit=settings.read_model_memory_limit,
        threads=settings.read_model_threads,
        readers=settings.read_model_readers,
        poll_s=settings.read_model_poll_s,
        coalesce_s=settings.read_model_coalesce_s,
    )
    await model.open()
    app[keys.READ_MODEL] = model
    app[READINESS_CHECKS]["read_model"] = _check_ready
    yield
    await model.close()


async def _check_ready(app: web.Application) -> None:
    if not app[keys.READ_MODEL].ready:
        raise RuntimeError("the read model is loading from the store")


def read_model(request: web.Request) -> ReadModel:
    """The read model, once it has caught up with the store (503 until then)."""
    model = request.app[keys.READ_MODEL]
    if not model.ready:
        raise web.HTTPServiceUnavailable(
            text="the read model is loading from the store; retry shortly",
            headers={"Retry-After": "5"},
        )
    return model


async def get_status(request: web.Request) -> web.Response:
    status = await request.app[keys.READ_MODEL].status()
    # Without the broker the read model still follows the store, at the poll interval.
    return json_ok({**status, "job_events": request.app[BROKER].connected})


async def post_sync(request: web.Request) -> web.Response:
    model = request.app[keys.READ_MODEL]
    await model.catch_up()
    return json_ok(await model.status())


async def post_rebuild(request: web.Request) -> web.Response:
    model = request.app[keys.READ_MODEL]
    model.start_rebuild()
    return json_ok(await model.status(), status=202)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/read-model", get_status)
    app.router.add_post("/read-model/sync", post_sync)
    app.router.add_post("/read-model/rebuild", post_rebuild)
