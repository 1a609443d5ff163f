"""`cnvb submit` / `cnvb jobs` as a user runs them, against a running ingest service."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cohort.generate import CohortSpec, generate_cohort
from cnvbeacon.ingest.app import create_app
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, JOBS
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.test_ingest_integration import TOKEN, ingest_settings
from tests.support.services import serve

pytestmark = pytest.mark.integration
CNVB = str(Path(sys.executable).with_name("cnvb"))


async def cnvb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [CNVB, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


async def test_submit_wait_and_list(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    (tmp_path / "files").mkdir()
    shutil.copy(HG00096_VCF, tmp_path / "files" / "a.vcf.gz")
    manifest = tmp_path / "run.tsv"
    manifest.write_text(
        "sample\tfile\tsex\tpopulation\tsuperpopulation\nHG00096\tfiles/a.vcf.gz\tmale\tGBR\tEUR\n"
    )
    bad = tmp_path / "bad.vcf"
    bad.write_text("not a vcf at all\n")
    async with serve(create_app(ingest_settings(backends_env))) as url:
        done = await cnvb(
            "submit", str(HG00096_VCF), "--wait", "--dataset", "cli", "--url", url, "--token", TOKEN
        )
        assert done.returncode == 0, done.stderr
        assert "1/1 jobs, 591 calls" in done.stdout
        batch = await cnvb(
            "submit",
            "--manifest",
            str(manifest),
            "--wait",
            "--dataset",
            "cli2",
            "--url",
            url,
            "--token",
            TOKEN,
        )
        assert batch.returncode == 0, batch.stderr
        assert "\nbatch batch-" in batch.stdout
        assert "1/1 files, 1 sent" in batch.stdout
        failed = await cnvb("submit", str(bad), "--wait", "--url", url, "--token", TOKEN)
        assert failed.returncode == 1
        assert "FAILED" in failed.stdout
        assert "bad.vcf" in failed.stdout
        listing = await cnvb("jobs", "--url", url)
        assert listing.returncode == 0
        assert listing.stdout.count("succeeded") == 2
        assert "failed" in listing.stdout
        refused = await cnvb("submit", str(bad), "--url", url, "--token", "wrong")
        assert refused.returncode == 1
        assert "admin token" in refused.stderr
    assert await database[CALLS].count_documents({"dataset_id": "cli"}) == 591
    assert await database[CALLS].count_documents({"dataset_id": "cli2", "population": "GBR"}) == 591


async def test_a_400_file_manifest_is_uploaded_once_and_a_rerun_resumes(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    cohort = generate_cohort(CohortSpec(samples=400, seed=41, directory=tmp_path / "c")).cohort
    command = ("submit", "--manifest", str(cohort.manifest), "--wait", "--dataset", "many")
    async with serve(create_app(ingest_settings(backends_env))) as url:
        first = await cnvb(*command, "--url", url, "--token", TOKEN, timeout=900)
        assert first.returncode == 0, first.stderr
        assert "400/400 files, 400 sent" in first.stdout
        assert f"400/400 jobs, {cohort.calls} calls" in first.stdout
        # Run again (as after an interruption): nothing is sent or ingested twice.
        again = await cnvb(*command, "--url", url, "--token", TOKEN, timeout=900)
        assert again.returncode == 0, again.stderr
        assert "400/400 files, 0 sent (0.0 MB" in again.stdout
        assert "400 already stored" in again.stdout
        assert "submitted before" in again.stdout
    assert await database[JOBS].count_documents({"dataset_id": "many"}) == 400
    assert await database[CALLS].count_documents({"dataset_id": "many"}) == cohort.calls


async def test_an_unreachable_service_is_named_with_what_to_do(tmp_path: Path) -> None:
    manifest = tmp_path / "m.tsv"
    manifest.write_text("sample\tfile\nHG00096\thttps://example.org/a.vcf.gz\n")
    found = await cnvb(
        "submit", "--manifest", str(manifest), "--url", "http://127.0.0.1:9", "--token", "t"
    )
    assert found.returncode == 1
    assert "cannot reach the ingest service at 127.0.0.1:9" in found.stderr
    assert "--url" in found.stderr
