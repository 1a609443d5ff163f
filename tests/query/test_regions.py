"""Region input: chromosome names in any common form with either assembly, gene symbols and
cytobands; each resolves to the region the reference data gives, and is searched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.shared.reference import chromosome_length, cytoband_region, gene_loci
from tests.query.cohort import Query, StoredCohort, brute_force, cohort_services

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=11, count=1500) as stored:
        yield stored


async def lookup(url: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with ClientSession() as session, session.get(f"{url}/calls", params=params) as r:
        return r.status, await r.json()


@pytest.mark.parametrize(
    "spelling", ["chr1", "1", "CHR1", "NC_000001.11", "refseq:NC_000001.11", "CM000663.2"]
)
async def test_chromosome_spellings_of_grch38(cohort: StoredCohort, spelling: str) -> None:
    params = {"chrom": spelling, "start": "1000000", "end": "3000000", "limit": "100000"}
    for assembly in (None, "GRCh38", "hg38"):
        status, body = await lookup(
            cohort.url, params | ({"assembly": assembly} if assembly else {})
        )
        assert status == 200, body
        assert (body["query"]["chrom"], body["query"]["assembly"]) == ("1", "GRCh38")
        expected = brute_force(cohort.calls, Query("1", 1_000_000, 3_000_000))
        assert [c["id"] for c in body["calls"]] == [c["_id"] for c in expected]


async def test_region_notation_and_defaults(cohort: StoredCohort) -> None:
    status, body = await lookup(cohort.url, {"region": "chr2:1,000,000-2,500,000"})
    assert status == 200, body
    assert (body["query"]["chrom"], body["query"]["start"], body["query"]["end"]) == (
        "2",
        1_000_000,
        2_500_000,
    )
    status, body = await lookup(cohort.url, {"chrom": "2", "limit": "0"})
    assert (body["query"]["start"], body["query"]["end"]) == (0, chromosome_length("2", "GRCh38"))
    everything = [c for c in cohort.calls if c["chrom"] == "2"]
    assert body["counts"]["calls"] == len(everything)


async def test_grch37_names_need_a_grch37_dataset(cohort: StoredCohort) -> None:
    # NC_000001.10 is GRCh37's chromosome 1: no GRCh37 dataset is stored, and a GRCh38
    # request naming it is told which assembly the accession belongs to.
    status, body = await lookup(cohort.url, {"chrom": "NC_000001.10", "assembly": "hg19"})
    assert status == 200, body
    assert body["query"]["assembly"] == "GRCh37"
    assert body["query"]["datasets"] == []
    assert body["calls"] == []
    status, body = await lookup(cohort.url, {"chrom": "NC_000001.10"})
    assert status == 400
    assert body["error"]["parameter"] == "chrom"
    assert "GRCh37" in body["error"]["message"]
    status, body = await lookup(
        cohort.url, {"chrom": "1", "assembly": "GRCh37", "datasets": "cohort-a"}
    )
    assert (status, body["error"]["parameter"]) == (400, "datasets")


@pytest.mark.parametrize("symbol", ["BRCA1", "brca1", "SMN1"])
async def test_gene_symbols(cohort: StoredCohort, symbol: str) -> None:
    locus = gene_loci(symbol, "GRCh38")[0]
    status, body = await lookup(cohort.url, {"gene": symbol, "limit": "100000"})
    assert status == 200, body
    query = body["query"]
    assert (query["chrom"], query["start"], query["end"]) == (locus.chrom, locus.start, locus.end)
    expected = brute_force(cohort.calls, Query(locus.chrom, locus.start, locus.end))
    assert [c["id"] for c in body["calls"]] == [c["_id"] for c in expected]


@pytest.mark.parametrize("band", ["1q21.1", "1p36", "2p25.3", "8q21q24.1", "1p"])
async def test_cytobands(cohort: StoredCohort, band: str) -> None:
    region = cytoband_region(band, "GRCh38")
    status, body = await lookup(cohort.url, {"cytoband": band, "limit": "100000"})
    assert status == 200, body
    query = body["query"]
    assert (query["chrom"], query["start"], query["end"]) == tuple(region)
    expected = brute_force(cohort.calls, Query(region.chrom, region.start, region.end))
    assert [c["id"] for c in body["calls"]] == [c["_id"] for c in expected]
