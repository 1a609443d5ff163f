"""Population analyses (Redon et al. 2006 on our data): frequency maps, CNV regions and
events, the genome summary, population differentiation and per-sample profiles.

How results come about
- An analysis request (queue `<ns>.analysis`: {"dataset_id", "database", "force"}) comes
  from the ingest worker after every job, or from POST /analyses/{dataset}/run. The
  consumer (worker.py) waits until the dataset's data_version has not moved and no ingest
  job of it has run for CNVB_ANALYSIS_STABLE_S seconds, then runs the job (job.py) in a
  child process; requests arriving meanwhile are acknowledged without work once the stored
  result is of the current data version.
- The job has the read model catch up and export the dataset's calls (one snapshot, as
  Parquet), analyses the full dataset in numpy in the child and stores the result tables
  and a compact cohort snapshot, labelled with the data version exported (result_store.py,
  collection `analyses`).
- Subsets (population, superpopulation, sex, pass_only) and other parameters (bin_size,
  min_overlap) are computed on demand from that snapshot in a thread (seconds for 2M
  calls, no pass over the store) and stored the same way (service.py).
- Every answer says which data version it was computed from and whether it is stale.

Endpoints (dataset = a dataset id; JSON unless format=tsv; download=true for attachments)
  GET  /analyses                               every dataset's analysis state
  GET  /analyses/{dataset}                     state, staleness, cached variants, broker
  POST /analyses/{dataset}/run[?force=true]    queue an analysis (202)
  GET  /analyses/{dataset}/summary             genome summary in Redon et al.'s terms
  GET  /analyses/{dataset}/frequencies         unit=bins|genes, group=, chrom=, gene=
  GET  /analyses/{dataset}/cnvrs               class=, chrom=, min_samples=, gene=, sort=
  GET  /analyses/{dataset}/events              chrom=, min_samples=, cnvr=, gene=
  GET  /analyses/{dataset}/vst                 by=superpopulation|population, min_samples=
  GET  /analyses/{dataset}/samples             sample=
  GET  /analyses/{dataset}/plots/{plot}.svg    frequency, populations, cnvr-map, vst, sizes
Each takes the subset (population=, superpopulation=, sex=, pass_only=) and parameter
(bin_size=, min_overlap=) arguments; lists take limit= and offset=.

`install(app)` adds them to the query service: these routes and a cleanup context that
holds the result service and the link to the analysis queue.
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
from cnvbeacon.query.keys import READ_MODEL
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
            partial(run_job_in_child, service_settings, app[READ_MODEL]),
        )
        if settings.worker
        else None
    )
    broker = BrokerLink(service_settings, settings, worker, app[READ_MODEL].nudge)
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
