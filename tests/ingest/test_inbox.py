"""Files dropped into the inbox become jobs exactly once, across restarts and replicas."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from cnvbeacon.ingest.app import create_app
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, JOBS
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import ingest_settings
from tests.support.services import serve, wait_for

pytestmark = pytest.mark.integration


async def all_jobs_done(database: Database, expected: int) -> bool:
    jobs = [j async for j in database[JOBS].find({})]
    return len(jobs) == expected and all(j["state"] == "succeeded" for j in jobs)


async def test_inbox_files_and_manifests_are_taken_exactly_once(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "batch1").mkdir(parents=True)
    settings = ingest_settings(
        backends_env,
        inbox_dir=inbox,
        watch_inbox=True,
        inbox_poll_s=0.2,
        default_dataset="inbox-test",
    )
    # Two replicas watch the same inbox.
    async with serve(create_app(settings)), serve(create_app(settings)):
        shutil.copy(HG00096_VCF, inbox / "HG00096.cnv.vcf.gz")
        await wait_for(lambda: all_jobs_done(database, 1), timeout=60, what="the single file")
        shutil.copy(HG00096_VCF, inbox / "batch1" / "a.vcf.gz")
        shutil.copy(HG00096_VCF, inbox / "batch1" / "b.vcf.gz")
        (inbox / "run1.manifest.tsv").write_text(
            "sample\tfile\tsex\tpopulation\tsuperpopulation\n"
            "HG00096\tbatch1/a.vcf.gz\tmale\tGBR\tEUR\n"
            "HG00096\tbatch1/b.vcf.gz\tmale\tGBR\tEUR\n"
        )
        await wait_for(lambda: all_jobs_done(database, 3), timeout=90, what="the manifest")
        await asyncio.sleep(1)  # more polls by both replicas change nothing
    # A restart sees the same files and submits nothing new.
    async with serve(create_app(settings)):
        await asyncio.sleep(1.5)
    assert await database[JOBS].count_documents({}) == 3
    batch_jobs = [j async for j in database[JOBS].find({"batch_id": {"$ne": None}})]
    assert {j["source"] for j in batch_jobs} == {"batch1/a.vcf.gz", "batch1/b.vcf.gz"}
    # Identical content: the batch's files replace the single file's calls, never duplicate.
    assert await database[CALLS].count_documents({"dataset_id": "inbox-test"}) == 591
    one = await database[CALLS].find_one({"dataset_id": "inbox-test"})
    assert one is not None
    assert one["population"] == "GBR"
