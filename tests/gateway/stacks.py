"""Whole stacks (ingest, query service, gateway) in-process against the real store and broker,
each in a database and AMQP namespace of its own, loaded through the real ingest API."""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bench.cohort.generate import Cohort
from cnvbeacon.gateway.app import create_app as create_gateway
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.ingest.app import create_app as create_ingest
from cnvbeacon.query.app import create_app as create_query
from tests.conftest import HG00096_VCF, Backends, drop_backends
from tests.ingest.test_ingest_integration import AUTH, ingest_settings, submit_file
from tests.support.services import query_settings, serve, sync_read_model, wait_for_job

PUBLIC_URL = "http://beacon.test"
ONE_KGP = "1kgp"  # the dataset HG00096 and the 1kGP individuals are loaded into


@dataclass(frozen=True, slots=True)
class Stack:
    ingest: str
    query: str
    gateway: str  # base URL of the gateway (its Beacon API is under /api)
    public_url: str

    @property
    def api(self) -> str:
        return f"{self.gateway}/api"

    def local(self, url: str) -> str:
        """A URL the gateway wrote with its public address, pointed at where it runs."""
        return url.replace(self.public_url, self.gateway, 1)


@dataclass(frozen=True, slots=True)
class VcfRecord:
    """A record of a DRAGEN CNV VCF, read without our parser (0-based half-open)."""

    chrom: str
    start: int  # POS (the padding base before the event, 1-based) = 0-based start of the event
    end: int  # INFO END (1-based inclusive) = 0-based exclusive end
    vcf_id: str
    alt: str
    genotype: str
    copy_number: int | None

    @property
    def length(self) -> int:
        return self.end - self.start


def vcf_records(path: Path = HG00096_VCF) -> list[VcfRecord]:
    records = []
    for line in gzip.decompress(path.read_bytes()).decode().splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        info = dict(item.split("=", 1) for item in fields[7].split(";") if "=" in item)
        sample = dict(zip(fields[8].split(":"), fields[9].split(":"), strict=True))
        copy_number = sample.get("CN")
        records.append(
            VcfRecord(
                chrom=fields[0],
                start=int(fields[1]),
                end=int(info["END"]),
                vcf_id=fields[2],
                alt=fields[4],
                genotype=sample["GT"],
                copy_number=int(copy_number) if copy_number not in (None, ".") else None,
            )
        )
    return records


async def load(
    session: ClientSession, ingest_url: str, dataset: str, *, individuals: bool = True
) -> None:
    """HG00096's DRAGEN calls (and the 1kGP individuals) into ``dataset``, via the ingest API."""
    if individuals:
        async with session.post(
            f"{ingest_url}/individuals",
            params={"dataset": dataset, "preset": "1kgp-30x"},
            headers=AUTH,
        ) as response:
            assert response.status == 200, await response.text()
    job_id = await submit_file(session, ingest_url, HG00096_VCF, dataset=dataset, sample="HG00096")
    assert (await wait_for_job(session, ingest_url, job_id))["state"] == "succeeded"


async def load_cohort(
    session: ClientSession, ingest_url: str, cohort: Cohort, dataset: str
) -> None:
    """A generated cohort's files into ``dataset`` one by one, after the 1kGP individuals,
    via the ingest API."""
    async with session.post(
        f"{ingest_url}/individuals", params={"dataset": dataset, "preset": "1kgp-30x"}, headers=AUTH
    ) as response:
        assert response.status == 200, await response.text()
    for row in cohort.manifest_rows():
        job = await submit_file(
            session,
            ingest_url,
            cohort.directory / row["file"],
            dataset=dataset,
            sample=row["sample"],
        )
        assert (await wait_for_job(session, ingest_url, job))["state"] == "succeeded", row


@contextlib.asynccontextmanager
async def running_stack(
    mongodb_url: str,
    amqp_url: str,
    datasets: Mapping[str, bool] = {ONE_KGP: True},
    **gateway_settings: Any,
) -> AsyncIterator[Stack]:
    """A stack with HG00096 loaded into each of ``datasets`` (value: with the individuals)."""
    backends = Backends.unique(mongodb_url, amqp_url)
    common = {
        "mongodb_url": backends.mongodb_url,
        "mongodb_database": backends.database,
        "amqp_url": backends.amqp_url,
        "amqp_namespace": backends.namespace,
        "log_json": False,
    }
    try:
        async with (
            serve(create_ingest(ingest_settings(backends))) as ingest,
            serve(create_query(query_settings(common))) as query,
        ):
            settings = GatewaySettings.model_validate(
                {
                    **common,
                    "query_url": query,
                    "ingest_url": ingest,
                    "public_url": PUBLIC_URL,
                    "metadata_cache_s": 60,
                    # Tests check answers, not latency: a loaded CI machine must not time out.
                    "upstream_timeout_s": 30,
                    **gateway_settings,
                }
            )
            async with serve(create_gateway(settings)) as gateway:
                async with ClientSession() as session:
                    for dataset, individuals in datasets.items():
                        await load(session, ingest, dataset, individuals=individuals)
                    await sync_read_model(session, query)
                yield Stack(ingest, query, gateway, PUBLIC_URL)
    finally:
        await drop_backends(backends)
