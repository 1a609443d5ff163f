"""The analysis job through the real queue and store, served by the query service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.analyses import AnalysisSettings
from cnvbeacon.query.analyses.keys import SETTINGS as ANALYSIS_SETTINGS
from cnvbeacon.query.app import create_app
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.messaging import ANALYSIS_ROUTING_KEY, Topology, open_publisher
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import ANALYSES, JOBS, ensure_indexes
from tests.conftest import Backends
from tests.query.analyses.stored_calls import call_document
from tests.support.services import read_model_directory, serve, wait_for

pytestmark = pytest.mark.integration
DATASET = "cohort"
FAST = AnalysisSettings(stable_s=0.3, poll_s=0.1, retry_delay_s=0.2)
PEOPLE = [
    ("A1", "female", "GBR", "EUR"),
    ("A2", "male", "GBR", "EUR"),
    ("B1", "female", "YRI", "AFR"),
    ("B2", "male", "YRI", "AFR"),
]


def query_settings(backends: Backends) -> QuerySettings:
    return QuerySettings.model_validate(
        {
            "mongodb_url": backends.mongodb_url,
            "mongodb_database": backends.database,
            "amqp_url": backends.amqp_url,
            "amqp_namespace": backends.namespace,
            "log_json": False,
            "read_model_directory": read_model_directory(),
        }
    )


@pytest_asyncio.fixture
async def query_url(backends_env: Backends) -> AsyncIterator[str]:
    app = create_app(query_settings(backends_env))
    app[ANALYSIS_SETTINGS] = FAST
    async with serve(app) as url:
        yield url


async def store_calls(db: Database, calls: list[dict[str, Any]]) -> None:
    """As the ingest worker stores them: with their registered individual's attributes."""
    registered = await call_writer.individual_attributes(
        db, DATASET, {c["biosample_id"] for c in calls}
    )
    calls = [{**c, **registered.get(c["biosample_id"], {})} for c in calls]
    await call_writer.insert_calls(db, DATASET, calls)
    await call_writer.touch_dataset(db, DATASET, "GRCh38")


async def request_analysis(backends: Backends) -> None:
    """What the ingest worker publishes after each job."""
    connection = await aio_pika.connect(backends.amqp_url)
    async with connection:
        _, publisher = await open_publisher(connection, Topology(backends.namespace))
        await publisher.publish_job(
            ANALYSIS_ROUTING_KEY,
            "test-request",
            {"dataset_id": DATASET, "database": backends.database},
        )


async def get_json(session: ClientSession, url: str, status: int = 200) -> Any:
    async with session.get(url) as response:
        body = await response.json()
        assert response.status == status, body
        return body


async def analysed(session: ClientSession, url: str, version: int) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        status = await get_json(session, f"{url}/analyses/{DATASET}")
        done = status["state"] == "ready" and status["computed_from_version"] == version
        return status if done else None

    found: dict[str, Any] = await wait_for(ready, timeout=90, what="the analysis")
    return found


async def test_analysis_through_the_queue_goes_stale_and_is_recomputed(
    backends_env: Backends, database: Database, query_url: str
) -> None:
    await ensure_indexes(database)
    await call_writer.upsert_individuals(
        database,
        DATASET,
        [
            {"individual_id": i, "sex": sex, "population": p, "superpopulation": s}
            for i, sex, p, s in PEOPLE
        ],
    )
    await store_calls(
        database,
        [
            call_document(DATASET, "A1", "1", 0, 1000, "DEL", 1),
            call_document(DATASET, "B1", "1", 0, 1000, "DUP", 3),
            call_document(DATASET, "A1", "2", 5000, 6000, "DEL", 1),
            call_document(DATASET, "A2", "2", 5000, 6000, "DEL", 0, is_pass=False),
            call_document(DATASET, "B2", "5", 100, 200, "DUP", 3),
        ],
    )
    base = f"{query_url}/analyses/{DATASET}"
    async with ClientSession() as session:
        await get_json(session, f"{base}/summary", status=404)
        await request_analysis(backends_env)
        status = await analysed(session, query_url, 1)
        assert status["stale"] is False

        stored = await database[ANALYSES].find_one({"kind": "run", "dataset_id": DATASET})
        assert stored is not None
        assert stored["data_version"] == 1
        assert stored["meta"]["summary"]["cnvrs"] == 3

        summary = (await get_json(session, f"{base}/summary"))["summary"]
        assert summary["samples"] == 4
        assert summary["bases_covered"] == 2100
        assert summary["cnvr_classes"]["deletion+duplication"] == 1
        assert summary["cnvr_classes"]["deletion"] == 1

        cnvrs = await get_json(session, f"{base}/cnvrs")
        rows = {r["chrom"]: r for r in cnvrs["rows"]}
        assert cnvrs["total"] == 3
        assert rows["1"]["class"] == "deletion+duplication"
        assert rows["1"]["vst_superpopulation"] == pytest.approx(0.5)
        assert rows["2"]["copy_numbers"] == [0, 1]
        assert rows["2"]["vst_superpopulation"] == pytest.approx(0.5625 / 0.6875)
        assert rows["2"]["fst_superpopulation"] == pytest.approx(0.6)
        assert rows["5"]["vst_superpopulation"] == pytest.approx(0.0625 / 0.1875)
        deletions = await get_json(session, f"{base}/cnvrs?class=deletion")
        assert [r["chrom"] for r in deletions["rows"]] == ["2"]

        vst = await get_json(session, f"{base}/vst?min_samples=1")
        assert [r["chrom"] for r in vst["outliers"]] == ["2", "1", "5"]
        assert vst["outliers"][0]["carrier_frequency"] == {"AFR": 0.0, "EUR": 1.0}

        bins = await get_json(session, f"{base}/frequencies?chrom=1&group=all,AFR")
        first = bins["rows"][0]
        assert first["gain_frequency"] == {"all": 0.25, "AFR": 0.5}
        assert first["loss_frequency"] == {"all": 0.25, "AFR": 0.0}

        # A subset is computed on demand from the stored cohort: only PASS calls here.
        passing = await get_json(session, f"{base}/summary?pass_only=true")
        assert passing["summary"]["calls"] == 4
        assert passing["analysis"]["subset"]["pass_only"] is True
        africans = await get_json(session, f"{base}/cnvrs?superpopulation=AFR")
        assert [r["class"] for r in africans["rows"]] == ["duplication", "duplication"]

        async with session.get(f"{base}/cnvrs?format=tsv") as response:
            text = await response.text()
            assert response.headers["Content-Disposition"].startswith("attachment")
        header, *lines = text.splitlines()
        assert header.split("\t")[:4] == ["id", "chrom", "start", "end"]
        assert len(lines) == 3

        for plot in ("frequency", "populations", "cnvr-map", "vst", "sizes"):
            async with session.get(f"{base}/plots/{plot}.svg?min_samples=1") as response:
                assert response.status == 200, plot
                assert response.content_type == "image/svg+xml"
                assert b"<svg" in await response.read()

        # New calls: the stored analysis is stale until the next request is processed.
        await store_calls(database, [call_document(DATASET, "B2", "3", 100, 200, "DUP", 3)])
        status = await get_json(session, base)
        assert status["stale"] is True
        stale = await get_json(session, f"{base}/summary")
        assert stale["analysis"]["stale"] is True
        assert stale["summary"]["calls"] == 5
        await request_analysis(backends_env)
        await analysed(session, query_url, 2)
        fresh = await get_json(session, f"{base}/summary")
        assert fresh["analysis"]["stale"] is False
        assert fresh["summary"]["calls"] == 6
        assert fresh["summary"]["cnvrs"] == 4
        # The on-demand subset follows the new data version too.
        passing = await get_json(session, f"{base}/summary?pass_only=true")
        assert passing["analysis"]["computed_from_version"] == 2
        assert passing["summary"]["calls"] == 5


async def test_requests_wait_for_a_quiet_dataset_and_are_coalesced(
    backends_env: Backends, database: Database, query_url: str
) -> None:
    await ensure_indexes(database)
    await store_calls(database, [call_document(DATASET, "A1", "1", 0, 1000, "DEL", 1)])
    # An ingest job of the dataset is still writing calls: the analysis must wait for it.
    await database[JOBS].insert_one({"_id": "busy", "dataset_id": DATASET, "state": "running"})
    base = f"{query_url}/analyses/{DATASET}"
    async with ClientSession() as session:
        await request_analysis(backends_env)

        async def waiting() -> bool:
            return bool((await get_json(session, base))["state"] == "waiting")

        await wait_for(waiting, timeout=30, what="the request to wait")
        await asyncio.sleep(1.0)
        assert (await get_json(session, base))["state"] == "waiting"
        await store_calls(database, [call_document(DATASET, "A2", "1", 0, 1000, "DEL", 1)])
        await database[JOBS].update_one({"_id": "busy"}, {"$set": {"state": "succeeded"}})
        status = await analysed(session, query_url, 2)
        assert status["last_job"] is None or status["last_job"]["data_version"] == 2
        run = await database[ANALYSES].find_one({"kind": "run", "dataset_id": DATASET})
        assert run is not None
        # Requests for data already analysed are acknowledged without a new run.
        for _ in range(3):
            await request_analysis(backends_env)
        await asyncio.sleep(2.0)
        again = await database[ANALYSES].find_one({"kind": "run", "dataset_id": DATASET})
        assert again is not None
        assert again["run_id"] == run["run_id"]
        assert (await get_json(session, f"{base}/summary"))["summary"]["calls"] == 2
