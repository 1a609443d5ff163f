"""Ingest through the real RabbitMQ and the real MongoDB-wire store."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import pytest
import pytest_asyncio
from aiohttp import ClientSession, web

from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.shared.messaging import INGEST_ROUTING_KEY, Topology
from cnvbeacon.shared.store.changes import ChangeKind, changes_since
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, DATASETS, INDIVIDUALS
from tests.conftest import HG00096_VCF, Backends
from tests.support.services import serve, wait_for, wait_for_batch, wait_for_job

pytestmark = pytest.mark.integration
TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def ingest_settings(backends: Backends, **overrides: Any) -> IngestSettings:
    return IngestSettings.model_validate(
        {
            "mongodb_url": backends.mongodb_url,
            "mongodb_database": backends.database,
            "amqp_url": backends.amqp_url,
            "amqp_namespace": backends.namespace,
            "admin_token": TOKEN,
            "retry_delay_s": 0.2,
            "log_json": False,
            # The tests' own file servers listen on loopback (refused unless listed).
            "url_allowed_hosts": ["127.0.0.1"],
            **overrides,
        }
    )


@pytest_asyncio.fixture
async def ingest_url(backends_env: Backends, tmp_path: Path) -> AsyncIterator[str]:
    settings = ingest_settings(backends_env, inbox_dir=tmp_path)
    async with serve(create_app(settings)) as url:
        yield url


async def submit_file(session: ClientSession, url: str, path: Path, **params: str) -> str:
    query = {"dataset": "test", "filename": path.name, **params}
    async with session.post(
        f"{url}/jobs", params=query, data=path.read_bytes(), headers=AUTH
    ) as response:
        body = await response.json()
        assert response.status == 202, body
        return str(body["id"])


async def test_hg00096_through_the_queue(ingest_url: str, database: Database) -> None:
    async with ClientSession() as session:
        job_id = await submit_file(session, ingest_url, HG00096_VCF, sample="HG00096")
        job = await wait_for_job(session, ingest_url, job_id)
    assert job["state"] == "succeeded", job
    assert job["counts"]["records_read"] == 591
    assert job["counts"]["calls_stored"] == 591
    assert job["attempts"] == 1
    calls = database[CALLS]
    assert await calls.count_documents({"dataset_id": "test"}) == 591
    assert await calls.count_documents({"variant_type": "DEL"}) == 472
    assert await calls.count_documents({"variant_type": "DUP"}) == 119
    assert await calls.count_documents({"is_pass": True}) == 129
    first = await calls.find_one({"vcf_id": "DRAGEN:LOSS:chr1:2650428-2651463"})
    assert first is not None
    assert (first["chrom"], first["start"], first["end"]) == ("1", 2650427, 2651463)
    assert first["assembly"] == "GRCh38"
    # The job's change is logged with the bump: its biosample and the file its calls came from.
    dataset = await database[DATASETS].find_one({"_id": "test"})
    assert dataset is not None
    changes = changes_since(dataset, dataset["data_version"] - 1)
    assert changes is not None
    (change,) = changes
    assert (change.kind, change.biosample_ids, change.job_id) == (
        ChangeKind.CALLS,
        ["HG00096"],
        job_id,
    )
    assert change.file_digest == first["file_digest"]


async def test_resubmitting_the_same_file_stores_no_duplicates(
    ingest_url: str, database: Database
) -> None:
    async with ClientSession() as session:
        first = await submit_file(session, ingest_url, HG00096_VCF)
        second = await submit_file(session, ingest_url, HG00096_VCF)
        for job_id in (first, second):
            assert (await wait_for_job(session, ingest_url, job_id))["state"] == "succeeded"
    assert await database[CALLS].count_documents({}) == 591


async def test_invalid_file_fails_at_once_with_line_and_keeps_other_data(
    ingest_url: str, database: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.vcf"
    lines = HG00096_VCF.read_bytes()
    text = gzip.decompress(lines).decode().splitlines()
    header_lines = sum(1 for line in text if line.startswith("#"))
    fields = text[header_lines].split("\t")
    fields[7] = fields[7].replace("END=2651463", "END=100")
    text[header_lines] = "\t".join(fields)
    bad.write_text("\n".join(text) + "\n")
    async with ClientSession() as session:
        good = await submit_file(session, ingest_url, HG00096_VCF)
        assert (await wait_for_job(session, ingest_url, good))["state"] == "succeeded"
        job_id = await submit_file(session, ingest_url, bad)
        job = await wait_for_job(session, ingest_url, job_id)
    assert job["state"] == "failed"
    assert job["attempts"] == 1
    assert job["error"]["file"] == "bad.vcf"
    assert job["error"]["line"] == header_lines + 1
    assert "END" in job["error"]["message"]
    assert await database[CALLS].count_documents({}) == 591


async def test_synthetic_and_real_files_never_share_a_dataset(
    ingest_url: str, database: Database, tmp_path: Path
) -> None:
    text = gzip.decompress(HG00096_VCF.read_bytes()).decode().splitlines()
    marker = '##cnvbeaconSynthetic=<ID=cnvbeacon,Description="SYNTHETIC data">'
    synthetic = tmp_path / "synthetic.vcf"
    synthetic.write_text("\n".join([text[0], marker, *text[1:]]) + "\n")
    async with ClientSession() as session:
        first = await submit_file(session, ingest_url, synthetic, dataset="syn")
        assert (await wait_for_job(session, ingest_url, first))["state"] == "succeeded"
        real = await submit_file(session, ingest_url, HG00096_VCF, dataset="syn")
        refused = await wait_for_job(session, ingest_url, real)
        # Again, once the worker has learnt the dataset's kind (it asks the store no more).
        again = await submit_file(session, ingest_url, HG00096_VCF, dataset="syn")
        refused_again = await wait_for_job(session, ingest_url, again)
        # The other way round: a synthetic file into a dataset of real data.
        real_first = await submit_file(session, ingest_url, HG00096_VCF, dataset="real")
        assert (await wait_for_job(session, ingest_url, real_first))["state"] == "succeeded"
        late = await submit_file(session, ingest_url, synthetic, dataset="real")
        refused_too = await wait_for_job(session, ingest_url, late)
    for job in (refused, refused_again, refused_too):
        assert job["state"] == "failed"
        assert job["attempts"] == 1
        assert "never mixed" in job["error"]["message"]
    assert "holds synthetic data" in refused["error"]["message"]
    assert "holds synthetic data" in refused_again["error"]["message"]
    assert "holds real data" in refused_too["error"]["message"]
    datasets = {d["_id"]: d["synthetic"] async for d in database[DATASETS].find()}
    assert datasets == {"syn": True, "real": False}
    assert await database[CALLS].count_documents({"dataset_id": "syn"}) == 591
    assert await database[CALLS].count_documents({"dataset_id": "real"}) == 591


async def test_submission_requires_the_admin_token(ingest_url: str) -> None:
    async with ClientSession() as session:
        async with session.post(f"{ingest_url}/jobs", data=b"x") as response:
            assert response.status == 401
            assert "admin token" in (await response.json())["error"]["message"]
        async with session.post(
            f"{ingest_url}/jobs", data=b"x", headers={"Authorization": "Bearer wrong"}
        ) as response:
            assert response.status == 401


async def test_inbox_paths_must_stay_inside_the_inbox(ingest_url: str, tmp_path: Path) -> None:
    (tmp_path / "sample.vcf.gz").write_bytes(HG00096_VCF.read_bytes())
    async with ClientSession() as session:
        for escaping in ("../etc/passwd", "/etc/passwd"):
            async with session.post(
                f"{ingest_url}/jobs", json={"source": escaping}, headers=AUTH
            ) as response:
                assert response.status == 400
                assert "outside the inbox" in (await response.json())["error"]["message"]
        async with session.post(
            f"{ingest_url}/jobs", json={"source": "sample.vcf.gz"}, headers=AUTH
        ) as response:
            assert response.status == 202
            job_id = (await response.json())["id"]
        job = await wait_for_job(session, ingest_url, job_id)
    assert job["state"] == "succeeded"
    assert job["counts"]["calls_stored"] == 591


async def test_poison_message_goes_to_the_dead_letter_queue(
    ingest_url: str, backends_env: Backends
) -> None:
    topology = Topology(backends_env.namespace)
    connection = await aio_pika.connect(backends_env.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        # The worker's dead-letter consumer acknowledges what it cannot attribute to a job;
        # watch the dead-letter exchange through a queue of our own, bound before publishing.
        probe = await channel.declare_queue(exclusive=True)
        await probe.bind(topology.dead_letter_exchange, routing_key=INGEST_ROUTING_KEY)
        exchange = await channel.get_exchange(topology.jobs_exchange)
        poison = (b"this is not a job", json.dumps({"job_id": "job-that-does-not-exist"}).encode())
        for body in poison:
            await exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=INGEST_ROUTING_KEY,
            )
        dead: set[bytes] = set()

        async def both_dead_lettered() -> bool:
            while message := await probe.get(no_ack=True, fail=False):
                dead.add(message.body)
            return dead == set(poison)

        await wait_for(both_dead_lettered, timeout=30, what="both poison messages dead-lettered")


async def test_progress_events_follow_the_job(ingest_url: str, backends_env: Backends) -> None:
    topology = Topology(backends_env.namespace)
    connection = await aio_pika.connect(backends_env.amqp_url)
    async with connection:
        channel = await connection.channel()
        listener = await channel.declare_queue(exclusive=True)
        await listener.bind(topology.events_exchange, routing_key="job.#")
        async with ClientSession() as session:
            job_id = await submit_file(session, ingest_url, HG00096_VCF)
            await wait_for_job(session, ingest_url, job_id)
        states: list[str] = []

        async def until_succeeded() -> bool:
            while message := await listener.get(no_ack=True, fail=False):
                event = json.loads(message.body)
                assert event["job_id"] == job_id
                assert message.routing_key == f"job.{job_id}.{event['state']}" or (
                    event["state"] == "running" and message.routing_key == f"job.{job_id}.progress"
                )
                states.append(event["state"])
                if event["state"] == "succeeded":
                    assert event["counts"]["calls_stored"] == 591
            return "succeeded" in states

        await wait_for(until_succeeded, timeout=20, what="the succeeded event")
    assert states[0] == "queued"
    assert states[1] == "running"
    assert states[-1] == "succeeded"


async def test_batch_upload_with_manifest_reports_progress(ingest_url: str, tmp_path: Path) -> None:
    form = aiohttp.FormData()
    form.add_field(
        "manifest",
        "sample\tfile\tsex\tpopulation\tsuperpopulation\n"
        "HG00096\tone.vcf.gz\tmale\tGBR\tEUR\n"
        "HG00096\ttwo.vcf.gz\tmale\tGBR\tEUR\n",
        filename="manifest.tsv",
    )
    for name in ("one.vcf.gz", "two.vcf.gz"):
        form.add_field("file", HG00096_VCF.read_bytes(), filename=name)
    async with ClientSession() as session:
        async with session.post(
            f"{ingest_url}/batches", data=form, params={"dataset": "b"}, headers=AUTH
        ) as response:
            body = await response.json()
            assert response.status == 202, body
        batch_id = body["batch_id"]
        assert len(body["job_ids"]) == body["size"] == 2
        assert [j["id"] for j in body["jobs"]] == body["job_ids"]

        async def finished() -> dict[str, Any] | None:
            async with session.get(f"{ingest_url}/batches/{batch_id}") as response:
                batch: dict[str, Any] = await response.json()
            return batch if batch["finished"] else None

        batch = await wait_for(finished, timeout=60, what="the batch")
    assert batch["jobs_by_state"]["succeeded"] == 2
    assert batch["fraction_done"] == 1.0
    assert batch["calls_stored"] == 2 * 591


async def test_bad_manifest_names_its_line(ingest_url: str) -> None:
    async with (
        ClientSession() as session,
        session.post(
            f"{ingest_url}/batches",
            data="sample\tfile\nA\thttps://x.org/a.vcf\nB\t\n",
            headers=AUTH,
        ) as response,
    ):
        body = await response.json()
    assert response.status == 400
    assert "manifest line 3" in body["error"]["message"]


async def test_individuals_loaded_after_calls_update_them_and_the_data_version(
    ingest_url: str, database: Database
) -> None:
    async with ClientSession() as session:
        job_id = await submit_file(session, ingest_url, HG00096_VCF)
        await wait_for_job(session, ingest_url, job_id)
        before = await database[DATASETS].find_one({"_id": "test"})
        assert before is not None
        table = "sample\tsex\tpopulation\tsuperpopulation\nHG00096\tmale\tGBR\tEUR\n"
        async with session.post(
            f"{ingest_url}/individuals", params={"dataset": "test"}, data=table, headers=AUTH
        ) as response:
            assert response.status == 200, await response.text()
            assert (await response.json())["individuals"] == 1
        async with session.post(
            f"{ingest_url}/individuals",
            params={"dataset": "test"},
            data="sample\tsex\nX\tmaybe\n",
            headers=AUTH,
        ) as response:
            assert response.status == 400
            assert "line 2" in (await response.json())["error"]["message"]
    after = await database[DATASETS].find_one({"_id": "test"})
    assert after is not None
    assert after["data_version"] > before["data_version"]
    assert await database[CALLS].count_documents({"population": "GBR", "sex": "male"}) == 591


async def test_calls_carry_attributes_of_individuals_loaded_before_them(
    ingest_url: str, tmp_path: Path, database: Database
) -> None:
    async with ClientSession() as session:
        table = "sample\tsex\tpopulation\tsuperpopulation\nHG00096\tmale\tGBR\tEUR\n"
        async with session.post(
            f"{ingest_url}/individuals", params={"dataset": "test"}, data=table, headers=AUTH
        ) as response:
            assert response.status == 200, await response.text()
        # A manifest without a sex column says nothing of sex; its population is new.
        (tmp_path / "hg00096.vcf.gz").write_bytes(HG00096_VCF.read_bytes())
        manifest = "sample\tfile\tpopulation\nHG00096\thg00096.vcf.gz\tIBS\n"
        async with session.post(
            f"{ingest_url}/batches",
            params={"dataset": "test"},
            data=manifest,
            headers={**AUTH, "Content-Type": "text/tab-separated-values"},
        ) as response:
            body = await response.json()
            assert response.status == 202, body
        await wait_for_batch(session, ingest_url, body["batch_id"])
    assert await database[CALLS].count_documents({}) == 591
    assert (
        await database[CALLS].count_documents(
            {"sex": "male", "population": "IBS", "superpopulation": "EUR"}
        )
        == 591
    )
    individual = await database[INDIVIDUALS].find_one({"dataset_id": "test"})
    assert individual is not None
    assert (individual["sex"], individual["population"]) == ("male", "IBS")


async def test_job_naming_a_url_is_fetched_by_the_worker(ingest_url: str) -> None:
    async def the_vcf(request: web.Request) -> web.FileResponse:
        return web.FileResponse(HG00096_VCF)

    files = web.Application()
    files.router.add_get("/HG00096.vcf.gz", the_vcf)
    async with serve(files) as file_server, ClientSession() as session:
        for url, expected in (
            (f"{file_server}/HG00096.vcf.gz", "succeeded"),
            (f"{file_server}/missing.vcf.gz", "failed"),
        ):
            async with session.post(
                f"{ingest_url}/jobs", json={"source": url, "dataset": "u"}, headers=AUTH
            ) as response:
                assert response.status == 202
                job_id = (await response.json())["id"]
            job = await wait_for_job(session, ingest_url, job_id)
            assert job["state"] == expected, job
            if expected == "succeeded":
                assert job["counts"]["calls_stored"] == 591
            else:
                assert "HTTP 404" in job["error"]["message"]
                assert job["attempts"] == 1
