"""The query service: lookups over the stored calls."""

from __future__ import annotations

from aiohttp import web

from cnvbeacon.query import analyses, api, keys
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.query.summaries import summaries_ctx
from cnvbeacon.shared.web import base_app, mongo_ctx


def create_app(settings: QuerySettings | None = None) -> web.Application:
    settings = settings or QuerySettings()
    app = base_app(settings, middlewares=(api.json_errors,))
    app[keys.SETTINGS] = settings
    app.cleanup_ctx.append(mongo_ctx)
    app.cleanup_ctx.append(
        summaries_ctx(keys.SUMMARIES, settings.count_summaries, settings.summary_poll_s)
    )
    api.add_routes(app)
    analyses.install(app)  # population analyses: /analyses/..., the analysis queue consumer
    return app
