"""Population analyses (Redon et al. 2006 on our data): frequency maps, CNV regions and
events, the genome summary, population differentiation and per-sample profiles.

`install(app)` adds them to the query service: the routes under /analyses and a cleanup
context that holds the result service and the link to the analysis queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web

from cnvbeacon.query.analyses import endpoints
from cnvbeacon.query.analyses.broker import BrokerLink
from cnvbeacon.query.analyses.child import run_job_in_child
from cnvbeacon.query.analyses.keys import BROKER, SERVICE, SETTINGS
from cnvbeacon.query.analyses.plot_endpoints import get_plot
from cnvbeacon.query.analyses.service import AnalysisService
from cnvbeacon.query.analyses.settings import AnalysisSettings
from cnvbeacon.query.analyses.worker import AnalysisWorker
from cnvbeacon.shared import web as shared_web

__all__ = ["AnalysisSettings", "analysis_ctx", "install"]


def install(app: web.Application, settings: AnalysisSettings | None = None) -> None:
    app[SETTINGS] = settings or AnalysisSettings()
    app.cleanup_ctx.append(analysis_ctx)
    add_routes(app)


async def analysis_ctx(app: web.Application) -> AsyncIterator[None]:
    service_settings = app[shared_web.SETTINGS]
    settings = app[SETTINGS]
    db = app[shared_web.DATABASE]
    app[SERVICE] = AnalysisService(db, settings)
    worker = (
        AnalysisWorker(
            db,
            service_settings.mongodb_database,
            settings,
            partial(run_job_in_child, service_settings),
        )
        if settings.worker
        else None
    )
    broker = BrokerLink(service_settings, settings, worker)
    app[BROKER] = broker
    broker.start()
    yield
    await broker.close()


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/analyses", endpoints.list_analyses)
    router.add_get("/analyses/{dataset}", endpoints.get_status)
    router.add_post("/analyses/{dataset}/run", endpoints.post_run)
    router.add_get("/analyses/{dataset}/summary", endpoints.get_summary)
    router.add_get("/analyses/{dataset}/frequencies", endpoints.get_frequencies)
    router.add_get("/analyses/{dataset}/cnvrs", endpoints.get_cnvrs)
    router.add_get("/analyses/{dataset}/events", endpoints.get_events)
    router.add_get("/analyses/{dataset}/vst", endpoints.get_vst)
    router.add_get("/analyses/{dataset}/samples", endpoints.get_samples)
    router.add_get("/analyses/{dataset}/plots/{plot}.svg", get_plot)
