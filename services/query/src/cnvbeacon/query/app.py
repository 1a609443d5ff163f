"""The query service: lookups, exports and analyses, all read from its read model."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.query import analyses, api, keys, read_model_api
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.web import base_app, mongo_ctx


def create_app(settings: QuerySettings | None = None) -> web.Application:
    settings = settings or QuerySettings()
    app = base_app(settings, middlewares=(api.json_errors,))
    app[keys.SETTINGS] = settings
    app.cleanup_ctx.append(mongo_ctx)
    app.cleanup_ctx.append(read_model_api.read_model_ctx)
    api.add_routes(app)
    read_model_api.add_routes(app)
    analyses.install(app)  # population analyses: /analyses/..., the analysis queue consumer
    return app
