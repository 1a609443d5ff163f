"""The whole stack for browser tests: ingest, query service and gateway (with the web UI)
in-process on real ports against the real store and broker, in a database and AMQP
namespace of their own, with HG00096 and the 1kGP individuals loaded through the ingest
API and the dataset's analyses computed (the ingest worker requests them)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import ClientSession, web

from cnvbeacon.gateway.app import create_app as create_gateway
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.gateway.web import routes as web_ui
from cnvbeacon.ingest.app import create_app as create_ingest
from cnvbeacon.query.analyses import AnalysisSettings
from cnvbeacon.query.analyses.keys import SETTINGS as ANALYSIS_SETTINGS
from cnvbeacon.query.app import create_app as create_query
from cnvbeacon.query.settings import QuerySettings
from tests.conftest import Backends, drop_backends
from tests.gateway.stacks import ONE_KGP, load
from tests.ingest.test_ingest_integration import TOKEN, ingest_settings
from tests.support.services import read_model_directory, serve, sync_read_model, wait_for

# Analyses start as soon as ingest is quiet (the default waits 5 s for more jobs).
FAST_ANALYSES = AnalysisSettings(stable_s=0.3, poll_s=0.1, retry_delay_s=0.2)


@dataclass(frozen=True, slots=True)
class UiStack:
    ingest: str
    query: str
    gateway: str  # the web UI is at its root, the API under /api
    admin_token: str
    dataset: str


def with_web_ui(app: web.Application) -> web.Application:
    """The gateway app serving the UI (its factory registers it; older ones did not)."""
    if not any(route.resource and route.resource.canonical == "/" for route in app.router.routes()):
        web_ui.add_routes(app)
    return app


async def _analysis_ready(session: ClientSession, query_url: str, dataset: str) -> None:
    async def ready() -> bool:
        async with session.get(f"{query_url}/analyses/{dataset}") as response:
            status = await response.json()
        return response.status == 200 and status["state"] == "ready" and not status["stale"]

    await wait_for(ready, timeout=120, what=f"the analyses of {dataset}")


@contextlib.asynccontextmanager
async def ui_stack(mongodb_url: str, amqp_url: str) -> AsyncIterator[UiStack]:
    backends = Backends.unique(mongodb_url, amqp_url)
    common = {
        "mongodb_url": backends.mongodb_url,
        "mongodb_database": backends.database,
        "amqp_url": backends.amqp_url,
        "amqp_namespace": backends.namespace,
        "log_json": False,
    }
    query_app = create_query(
        QuerySettings.model_validate({**common, "read_model_directory": read_model_directory()})
    )
    query_app[ANALYSIS_SETTINGS] = FAST_ANALYSES
    try:
        async with (
            serve(create_ingest(ingest_settings(backends))) as ingest,
            serve(query_app) as query,
        ):
            settings = GatewaySettings.model_validate(
                {
                    **common,
                    "query_url": query,
                    "ingest_url": ingest,
                    "metadata_cache_s": 1,
                    "upstream_timeout_s": 30,
                }
            )
            async with serve(with_web_ui(create_gateway(settings))) as gateway:
                async with ClientSession() as session:
                    await load(session, ingest, ONE_KGP)
                    await sync_read_model(session, query)
                    await _analysis_ready(session, query, ONE_KGP)
                yield UiStack(ingest, query, gateway, TOKEN, ONE_KGP)
    finally:
        await drop_backends(backends)
