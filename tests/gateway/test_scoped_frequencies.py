"""A variant's frequencies are over its whole dataset, also when the search's filters or
path leave out some of its carriers: HG00096's calls loaded twice, as HG00096 (GBR male)
and as HG00097 (GBR female), so every variant has two carriers of one population."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from tests.conftest import HG00096_VCF
from tests.gateway.stacks import ONE_KGP, Stack, running_stack, vcf_records
from tests.ingest.test_ingest_integration import submit_file
from tests.support.services import sync_read_model, wait_for_job

pytestmark = pytest.mark.integration

LOSS = next(r for r in vcf_records() if r.alt == "<DEL>" and r.copy_number == 0)
REGION = {"referenceName": LOSS.chrom, "start": str(LOSS.start), "end": str(LOSS.end)}


def _as_hg00097(directory: Path) -> Path:
    """HG00096's file with its sample column renamed (another file: other call ids)."""
    lines = gzip.decompress(HG00096_VCF.read_bytes()).decode().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("#CHROM"))
    lines[header] = lines[header].replace("HG00096", "HG00097")
    path = directory / "HG00097.cnv.vcf.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    return path


@pytest_asyncio.fixture(scope="module")
async def stack(
    mongodb_url: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    vcf = _as_hg00097(tmp_path_factory.mktemp("hg00097"))
    async with running_stack(mongodb_url, amqp_url) as running:
        async with ClientSession() as session:
            job_id = await submit_file(
                session, running.ingest, vcf, dataset=ONE_KGP, sample="HG00097"
            )
            assert (await wait_for_job(session, running.ingest, job_id))["state"] == "succeeded"
            await sync_read_model(session, running.query)
        yield running


async def _the_loss(stack: Stack, path: str, params: dict[str, str]) -> dict[str, Any]:
    query = {"datasetIds": ONE_KGP, "requestedGranularity": "record", **REGION, **params}
    async with ClientSession() as session, session.get(stack.api + path, params=query) as response:
        body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    found = [r for s in body["response"]["resultSets"] for r in s["results"]]
    chrom = LOSS.chrom.removeprefix("chr")
    (result,) = [
        r for r in found if r["variantInternalId"] == f"GRCh38:{chrom}:{LOSS.start}-{LOSS.end}:DEL"
    ]
    return result


def _frequencies(result: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    (dataset,) = result["frequencyInPopulations"]
    return {
        f["population"]: (f["carriers"], f["individuals"], f["alleleCount"], f["alleleNumber"])
        for f in dataset["frequencies"]
    }


# Two homozygous carriers, both GBR: 2 of 2 individuals, 4 of 4 alleles.
WHOLE_DATASET = dict.fromkeys(("all", "EUR", "GBR"), (2, 2, 4, 4))


async def test_an_unfiltered_search_counts_both_carriers(stack: Stack) -> None:
    result = await _the_loss(stack, "/g_variants", {})
    assert {c["biosampleId"] for c in result["caseLevelData"]} == {"HG00096", "HG00097"}
    assert _frequencies(result) == WHOLE_DATASET


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/g_variants", {"filters": "sex=male"}),
        ("/g_variants", {"filters": "sex=female"}),
        ("/biosamples/HG00096/g_variants", {}),
        ("/individuals/HG00097/g_variants", {}),
    ],
)
async def test_a_narrowed_search_keeps_the_whole_datasets_frequencies(
    stack: Stack, path: str, params: dict[str, str]
) -> None:
    assert _frequencies(await _the_loss(stack, path, params)) == WHOLE_DATASET


async def test_a_biosample_without_a_region_finds_its_variants_with_their_frequencies(
    stack: Stack,
) -> None:
    query = {"datasetIds": ONE_KGP, "requestedGranularity": "record", "limit": "1000"}
    url = f"{stack.api}/biosamples/HG00097/g_variants"
    async with ClientSession() as session, session.get(url, params=query) as got:
        body: dict[str, Any] = await got.json()
    assert got.status == 200, body
    found = [r for s in body["response"]["resultSets"] for r in s["results"]]
    assert body["responseSummary"]["numTotalResults"] == len(found) == len(vcf_records())
    autosomal = [r for r in found if r["variantInternalId"].split(":")[1] not in ("X", "Y")]
    assert autosomal
    assert all(_frequencies(r)["all"][:2] == (2, 2) for r in autosomal)
