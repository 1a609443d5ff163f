"""Query replicas follow the ingest jobs on their own (the job-success events, or the poll),
answer identically, and a replica that was down catches up from the store when it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from cnvbeacon.ingest.app import create_app as create_ingest
from cnvbeacon.query.app import create_app as create_query
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.store.client import Database
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import AUTH, ingest_settings, submit_file
from tests.support.services import serve, wait_for, wait_for_job, wait_ready

DATASET = "replicas"
# What a page of the UI asks: counts, a page of calls, a sample's calls, a carrier list.
REQUESTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/counts", {"datasets": DATASET}),
    ("/calls", {"datasets": DATASET, "chrom": "1", "limit": "50"}),
    ("/variants", {"datasets": DATASET, "chrom": "X", "limit": "20"}),
    ("/biosamples/HG00096/calls", {"datasets": DATASET, "limit": "1000"}),
    ("/individuals", {"datasets": DATASET, "chrom": "1"}),
)


def settings(backends: Backends, directory: Path) -> QuerySettings:
    return QuerySettings.model_validate(
        {
            "mongodb_url": backends.mongodb_url,
            "mongodb_database": backends.database,
            "amqp_url": backends.amqp_url,
            "amqp_namespace": backends.namespace,
            "log_json": False,
            "read_model_directory": str(directory),
            # Long enough that only the job-success event can explain a prompt update.
            "read_model_poll_s": 600,
        }
    )


async def answers(session: ClientSession, url: str) -> list[Any]:
    found = []
    for path, params in REQUESTS:
        async with session.get(f"{url}{path}", params=params) as response:
            assert response.status == 200, await response.text()
            found.append(await response.json())
    return found


async def held_version(session: ClientSession, url: str) -> int | None:
    async with session.get(f"{url}/read-model") as response:
        version: int | None = (await response.json())["datasets"].get(DATASET)
        return version


async def following_events(session: ClientSession, url: str) -> bool:
    async with session.get(f"{url}/read-model") as response:
        following: bool = (await response.json())["job_events"]
        return following


async def store_version(database: Database) -> int:
    document = await database["datasets"].find_one({"_id": DATASET})
    assert document is not None
    return int(document["data_version"])


async def until_held(session: ClientSession, url: str, version: int) -> None:
    async def held() -> bool:
        return await held_version(session, url) == version

    await wait_for(held, timeout=120, what=f"{url} to hold version {version}")


@pytest.mark.integration
async def test_replicas_follow_jobs_and_a_restarted_one_catches_up(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    first_directory, second_directory = tmp_path / "first", tmp_path / "second"
    async with (
        serve(create_ingest(ingest_settings(backends_env))) as ingest,
        serve(create_query(settings(backends_env, second_directory))) as second,
        ClientSession() as session,
    ):
        async with serve(create_query(settings(backends_env, first_directory))) as first:
            for url in (first, second):
                await wait_ready(session, url)
                await wait_for(lambda u=url: following_events(session, u), what="job events")
            job_id = await submit_file(
                session, ingest, HG00096_VCF, dataset=DATASET, sample="HG00096"
            )
            assert (await wait_for_job(session, ingest, job_id))["state"] == "succeeded"
            version = await store_version(database)
            for url in (first, second):
                await until_held(session, url, version)
            seen = await answers(session, first)
            assert seen == await answers(session, second)
            stored = await database["calls"].count_documents({"dataset_id": DATASET})
            assert seen[0]["counts"]["calls"] == stored > 0
            assert {c["population"] for c in seen[3]["calls"]} == {None}

        # While the first replica is down, the individuals arrive: every call changes.
        async with session.post(
            f"{ingest}/individuals",
            params={"dataset": DATASET, "preset": "1kgp-30x"},
            headers=AUTH,
        ) as response:
            assert response.status == 200, await response.text()
        version = await store_version(database)
        async with session.post(f"{second}/read-model/sync") as response:
            assert response.status == 200
        assert await held_version(session, second) == version

        async with serve(create_query(settings(backends_env, first_directory))) as restarted:
            await wait_ready(session, restarted)
            assert await held_version(session, restarted) == version
            seen = await answers(session, restarted)
            assert seen == await answers(session, second)
            assert {c["population"] for c in seen[3]["calls"]} == {"GBR"}
