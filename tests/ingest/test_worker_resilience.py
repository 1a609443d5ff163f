"""A worker killed mid-file: its job is redelivered and completed elsewhere, exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from urllib.parse import urlsplit

import localstack
import pytest
from aiohttp import ClientSession

from cnvbeacon.ingest.app import create_app
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS
from tests.conftest import HG00096_VCF, Backends
from tests.ingest.big_vcf import write_big_vcf
from tests.ingest.test_ingest_integration import TOKEN, ingest_settings, submit_file
from tests.platform.test_readiness import through
from tests.support.services import serve, wait_for, wait_for_job
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_killed_worker_job_completes_on_another_worker(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    big = tmp_path / "big.vcf.gz"
    records = write_big_vcf(HG00096_VCF, big, copies=60)
    port = localstack.free_port()
    env = {
        **backends_env.env(),
        "CNVB_PORT": str(port),
        "CNVB_ADMIN_TOKEN": TOKEN,
        "CNVB_WRITE_BATCH_SIZE": "500",
        "CNVB_LOG_JSON": "false",
    }
    log_path = tmp_path / "worker.log"
    doomed = localstack.start_service("ingest", env, log_path)
    try:
        url = f"http://127.0.0.1:{port}"
        localstack.wait_ready("ingest", url, 60, doomed, log_path)
        async with ClientSession() as session:
            job_id = await submit_file(session, url, big)

            async def some_calls_stored() -> bool:
                return await database[CALLS].count_documents({"job_id": job_id}) > 2000

            await wait_for(some_calls_stored, timeout=60, what="the first calls")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
            stored_when_killed = await database[CALLS].count_documents({})
            assert 0 < stored_when_killed < records

            # A second worker (in this process) gets the redelivered message.
            async with serve(create_app(ingest_settings(backends_env))) as second:
                job = await wait_for_job(session, second, job_id, timeout=240)
    finally:
        if doomed.poll() is None:
            os.kill(doomed.pid, signal.SIGKILL)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 2
    assert job["counts"]["calls_stored"] == records
    assert await database[CALLS].count_documents({}) == records


async def test_store_outage_mid_job_is_retried_without_dead_lettering(
    backends_env: Backends, database: Database, tmp_path: Path
) -> None:
    big = tmp_path / "big.vcf.gz"
    records = write_big_vcf(HG00096_VCF, big, copies=40)
    mongo = urlsplit(backends_env.mongodb_url)
    proxy = TcpProxy(mongo.hostname or "127.0.0.1", mongo.port or 27017)
    await proxy.start()
    settings = ingest_settings(
        backends_env,
        mongodb_url=through(backends_env.mongodb_url, proxy),
        mongodb_timeout_ms=1000,
        write_batch_size=500,
    )
    try:
        async with serve(create_app(settings)) as url, ClientSession() as session:
            job_id = await submit_file(session, url, big)

            async def some_calls_stored() -> bool:
                return await database[CALLS].count_documents({"job_id": job_id}) > 2000

            await wait_for(some_calls_stored, timeout=60, what="the first calls")
            await proxy.cut()
            await asyncio.sleep(4)
            await proxy.start()
            job = await wait_for_job(session, url, job_id, timeout=240)
    finally:
        await proxy.cut()
    assert job["state"] == "succeeded", job
    assert job["attempts"] >= 2
    assert job["counts"]["calls_stored"] == records
    assert await database[CALLS].count_documents({}) == records


@pytest.mark.parametrize("grace_s", [60.0, 0.3])
async def test_sigterm_finishes_or_hands_back_the_job(
    backends_env: Backends, database: Database, tmp_path: Path, grace_s: float
) -> None:
    """With time to spare the worker finishes its job before exiting; without, it returns
    the job to the queue and another worker completes it. Either way nothing is lost."""
    big = tmp_path / "big.vcf.gz"
    records = write_big_vcf(HG00096_VCF, big, copies=40)
    port = localstack.free_port()
    env = {
        **backends_env.env(),
        "CNVB_PORT": str(port),
        "CNVB_ADMIN_TOKEN": TOKEN,
        "CNVB_WRITE_BATCH_SIZE": "500",
        "CNVB_LOG_JSON": "false",
        "CNVB_SHUTDOWN_GRACE_S": str(grace_s),
    }
    log_path = tmp_path / "worker.log"
    worker = localstack.start_service("ingest", env, log_path)
    try:
        url = f"http://127.0.0.1:{port}"
        localstack.wait_ready("ingest", url, 60, worker, log_path)
        async with ClientSession() as session:
            job_id = await submit_file(session, url, big)

            async def some_calls_stored() -> bool:
                return await database[CALLS].count_documents({"job_id": job_id}) > 2000

            await wait_for(some_calls_stored, timeout=60, what="the first calls")
            worker.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(worker.wait, 120)
            assert exit_code == 0, log_path.read_text()[-2000:]
            stored_at_exit = await database[CALLS].count_documents({})
            if grace_s > 10:
                assert stored_at_exit == records
            async with serve(create_app(ingest_settings(backends_env))) as second:
                job = await wait_for_job(session, second, job_id, timeout=240)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == (1 if grace_s > 10 else 2)
    assert await database[CALLS].count_documents({}) == records
