"""The reconciler and resumed batch creation against the real store and broker: a job whose
submitter died before the broker confirmed its message is published again; uploads no job
names are deleted after the retention period, others kept; one replica at a time holds
the lease; and an ingest service stopped while creating a batch's jobs leaves a batch that
the next one completes with exact counts."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bench.cohort.generate import CohortSpec, generate_cohort
from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.reconciler import Lease
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, JOBS, UPLOAD_DIGESTS
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import AUTH, ingest_settings
from tests.support.services import serve, wait_for, wait_for_batch, wait_for_job

pytestmark = pytest.mark.integration
CONTENT = HG00096_VCF.read_bytes()
SHA256 = hashlib.sha256(CONTENT).hexdigest()
FAST = {"reconcile_s": 0.2, "publish_grace_s": 0.5, "batch_resume_s": 0.2, "batch_lease_s": 1.0}


async def _put(session: ClientSession, url: str, content: bytes) -> str:
    sha256 = hashlib.sha256(content).hexdigest()
    async with session.put(f"{url}/uploads/{sha256}", data=content, headers=AUTH) as response:
        assert response.status in (200, 201), await response.text()
    return sha256


async def test_a_job_never_confirmed_on_the_queue_is_published_again(
    backends_env: Backends, database: Database
) -> None:
    async with (
        serve(create_app(ingest_settings(backends_env, **FAST))) as url,
        ClientSession() as session,
    ):
        await _put(session, url, CONTENT)
        digest = await database[UPLOAD_DIGESTS].find_one({"_id": SHA256})
        assert digest is not None
        # As a submitter that died between recording the job and publishing it.
        job = await JobStore(database).create(
            dataset_id="orphan", source="a.vcf.gz", file_id=digest["file_id"]
        )
        done = await wait_for_job(session, url, job.id, timeout=20)
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 1
    assert await database[CALLS].count_documents({"dataset_id": "orphan"}) == 591


async def test_uploads_no_job_names_are_deleted_after_the_retention(
    backends_env: Backends, database: Database
) -> None:
    kept_content = CONTENT
    lost_content = CONTENT + b"\n"  # another digest: an upload nobody submitted
    async with serve(create_app(ingest_settings(backends_env))) as url, ClientSession() as session:
        kept = await _put(session, url, kept_content)
        lost = await _put(session, url, lost_content)
    digest = await database[UPLOAD_DIGESTS].find_one({"_id": kept})
    assert digest is not None
    await JobStore(database).create(dataset_id="k", source="a.vcf.gz", file_id=digest["file_id"])
    settings = ingest_settings(backends_env, **FAST, upload_retention_s=0.0, run_worker=False)
    async with serve(create_app(settings)) as url, ClientSession() as session:

        async def forgotten() -> bool:
            async with session.get(f"{url}/uploads/{lost}") as response:
                return response.status == 404

        await wait_for(forgotten, timeout=60, what="the unreferenced upload deleted")
        async with session.get(f"{url}/uploads/{kept}") as response:
            assert response.status == 200
    assert await database["uploads.files"].count_documents({}) == 1


async def test_one_owner_holds_a_lease_until_it_expires(database: Database) -> None:
    first = Lease(database, "a-lease", "first")
    second = Lease(database, "a-lease", "second")
    assert await first.acquire(0.5)
    assert not await second.acquire(0.5)
    assert await first.acquire(0.5)  # renewed by its owner
    await asyncio.sleep(0.7)
    assert await second.acquire(30)
    assert not await first.acquire(30)
    await second.release()
    assert await first.acquire(30)


async def test_a_service_stopped_while_creating_a_batch_leaves_it_to_the_next(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    cohort = generate_cohort(CohortSpec(samples=60, seed=43, directory=tmp_path / "c")).cohort
    rows = cohort.manifest_rows()
    manifest = cohort.manifest.read_text()
    settings = ingest_settings(backends_env, **FAST)
    async with serve(create_app(settings)) as url, ClientSession() as session:
        uploads = {
            row["file"]: await _put(session, url, (cohort.directory / row["file"]).read_bytes())
            for row in rows
        }
        body = {"manifest": manifest, "uploads": uploads, "key": "stopped-batch"}
        async with session.post(
            f"{url}/batches", json=body, params={"dataset": "stopped"}, headers=AUTH
        ) as response:
            answer: dict[str, Any] = await response.json()
            assert response.status == 202, answer
        # Stopped at once: the jobs are being created in the background.
    async with serve(create_app(settings)) as url, ClientSession() as session:
        try:
            batch = await wait_for_batch(session, url, answer["batch_id"], timeout=150)
        except AssertionError:
            jobs = await database[JOBS].find({"batch_id": answer["batch_id"]}).to_list(None)
            unfinished = [
                {k: j.get(k) for k in ("_id", "state", "attempts", "publish_pending")}
                for j in jobs
                if j["state"] not in ("succeeded", "failed")
            ]
            raise AssertionError(f"{len(jobs)} jobs; unfinished: {unfinished}") from None
    assert batch["jobs_created"] == len(rows) == 60
    assert batch["jobs_by_state"]["succeeded"] == 60, batch["jobs_by_state"]
    assert await database[JOBS].count_documents({"batch_id": answer["batch_id"]}) == 60
    assert await database[CALLS].count_documents({"dataset_id": "stopped"}) == cohort.calls
