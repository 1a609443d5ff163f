"""A small generated cohort through the real queue and store: the batch manifest the generator
writes is submitted as it is, and every call in the files ends up stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from bench.cohort.generate import MANIFEST, Cohort, CohortSpec, generate_cohort
from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, INDIVIDUALS
from tests.conftest import Backends
from tests.support.services import serve, wait_for

pytestmark = pytest.mark.integration
TOKEN = "bench-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DATASET = "synthetic-test"
FILES = 5


@pytest.fixture(scope="module")
def five_samples(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    directory = Path(tmp_path_factory.mktemp("five-samples"))
    return generate_cohort(CohortSpec(samples=FILES, seed=23, directory=directory)).cohort


@pytest_asyncio.fixture
async def ingest_url(backends_env: Backends, five_samples: Cohort) -> AsyncIterator[str]:
    settings = IngestSettings.model_validate(
        {
            "mongodb_url": backends_env.mongodb_url,
            "mongodb_database": backends_env.database,
            "amqp_url": backends_env.amqp_url,
            "amqp_namespace": backends_env.namespace,
            "admin_token": TOKEN,
            "inbox_dir": five_samples.directory,
            "log_json": False,
        }
    )
    async with serve(create_app(settings)) as url:
        yield url


async def test_a_generated_batch_is_stored_call_for_call(
    ingest_url: str, database: Database, five_samples: Cohort
) -> None:
    manifest = (five_samples.directory / MANIFEST).read_bytes()
    async with ClientSession() as session:
        async with session.post(
            f"{ingest_url}/batches", params={"dataset": DATASET}, data=manifest, headers=AUTH
        ) as response:
            body = await response.json()
            assert response.status == 202, body
        batch_id = body["batch_id"]

        async def finished() -> dict[str, Any] | None:
            async with session.get(f"{ingest_url}/batches/{batch_id}") as response:
                status: dict[str, Any] = await response.json()
            return status if status["finished"] else None

        status = await wait_for(finished, timeout=120, what=f"batch {batch_id}")
    assert status["jobs_by_state"]["succeeded"] == FILES, status
    rows = five_samples.manifest_rows()
    written = {row["sample"]: int(row["calls"]) for row in rows}
    assert status["calls_stored"] == sum(written.values()) == five_samples.calls
    calls = database[CALLS]
    assert await calls.count_documents({"dataset_id": DATASET}) == sum(written.values())
    for row in rows:
        stored = await calls.count_documents({"dataset_id": DATASET, "biosample_id": row["sample"]})
        assert stored == written[row["sample"]], row["sample"]
        call = await calls.find_one({"dataset_id": DATASET, "biosample_id": row["sample"]})
        assert call is not None
        assert (call["sex"], call["population"], call["superpopulation"]) == (
            row["sex"],
            row["population"],
            row["superpopulation"],
        )
    assert await database[INDIVIDUALS].count_documents({"dataset_id": DATASET}) == FILES
