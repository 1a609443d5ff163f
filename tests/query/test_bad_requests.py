"""Every endpoint answers a bad request with a 400 naming the parameter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from tests.query.cohort import StoredCohort, cohort_services

pytestmark = pytest.mark.integration

REGION = {"chrom": "1", "start": "1", "end": "10"}
LOOKUP_CASES = [
    ({"chrom": "chr99", "start": "1", "end": "2"}, "chrom"),
    ({"chrom": "1", "start": "20", "end": "10"}, "start"),
    ({"chrom": "1", "start": "-5", "end": "10"}, "start"),
    ({"chrom": "1", "start": "1", "end": "-10"}, "end"),
    ({"chrom": "1", "start": "x", "end": "10"}, "start"),
    ({"chrom": "1", "start": "300000000", "end": "300000001"}, "start"),
    ({**REGION, "colour": "red"}, "colour"),
    ({**REGION, "variant_type": "SNV"}, "variant_type"),
    ({**REGION, "match": "near"}, "match"),
    ({**REGION, "match": "bracket"}, "start_max"),
    ({**REGION, "start_max": "5"}, "start_max"),
    ({**REGION, "min_length": "0"}, "min_length"),
    ({**REGION, "min_length": "10", "max_length": "5"}, "min_length"),
    ({**REGION, "min_copy_number": "x"}, "min_copy_number"),
    ({**REGION, "pass_only": "maybe"}, "pass_only"),
    ({**REGION, "sex": "other"}, "sex"),
    ({**REGION, "biosample_id": "a b"}, "biosample_id"),
    ({**REGION, "population": "G/B"}, "population"),
    ({**REGION, "datasets": "nope"}, "datasets"),
    ({**REGION, "assembly": "hg17"}, "assembly"),
    ({"gene": "NOT_A_GENE_XYZ"}, "gene"),
    ({"gene": "BRCA1", "start": "5"}, "start"),
    ({"cytoband": "1q99"}, "cytoband"),
    ({"region": "chr1:5-"}, "region"),
    ({"gene": "BRCA1", "chrom": "1"}, "chrom"),
]
PAGED_CASES = [
    ({**REGION, "limit": "99999999"}, "limit"),
    ({**REGION, "limit": "-1"}, "limit"),
    ({**REGION, "skip": "x"}, "skip"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=3, count=200) as stored:
        yield stored


async def assert_400(url: str, params: dict[str, str], parameter: str) -> None:
    async with ClientSession() as session, session.get(url, params=params) as response:
        body = await response.json()
    assert response.status == 400, (url, params, body)
    assert body["error"]["parameter"] == parameter, body
    assert body["error"]["message"]


@pytest.mark.parametrize("path", ["/calls", "/variants", "/counts", "/biosamples", "/individuals"])
async def test_lookup_endpoints(cohort: StoredCohort, path: str) -> None:
    for params, parameter in LOOKUP_CASES:
        await assert_400(f"{cohort.replica_url}{path}", params, parameter)
    if path != "/counts":
        for params, parameter in PAGED_CASES:
            await assert_400(f"{cohort.replica_url}{path}", params, parameter)


async def test_exports_and_formats(cohort: StoredCohort) -> None:
    url = f"{cohort.url}/calls"
    await assert_400(url, {**REGION, "format": "xls"}, "format")
    await assert_400(url, {**REGION, "format": "vcf", "limit": "5"}, "limit")
    await assert_400(url, {"format": "bed", "start": "5"}, "start")


async def test_fields_name_call_fields_of_calls_only(cohort: StoredCohort) -> None:
    await assert_400(f"{cohort.url}/calls", {**REGION, "fields": "start,colour"}, "fields")
    await assert_400(f"{cohort.url}/variants", {**REGION, "fields": "start"}, "fields")
    await assert_400(f"{cohort.url}/biosamples/NA00001/calls", {"fields": "x"}, "fields")


async def test_record_endpoints(cohort: StoredCohort) -> None:
    base = cohort.url
    await assert_400(f"{base}/calls/a%20b", {}, "id")
    await assert_400(f"{base}/calls/cohort-a:000001", {"x": "1"}, "x")
    await assert_400(f"{base}/variants/GRCh38:1:5-2:DEL", {}, "id")
    await assert_400(f"{base}/variants/GRCh38:1:1-2:SNV", {}, "id")
    await assert_400(f"{base}/variants/GRCh38:chr99:1-2:DEL", {}, "id")
    await assert_400(f"{base}/variants/hg17:1:1-2:DEL", {}, "id")
    await assert_400(f"{base}/biosamples/NA00001", {"datasets": "nope"}, "datasets")
    await assert_400(f"{base}/biosamples/NA00001/calls", {"limit": "0x"}, "limit")
    await assert_400(f"{base}/individuals/NA00001", {"sex": "female"}, "sex")
    await assert_400(f"{base}/individuals", {"sex": "other"}, "sex")
    await assert_400(f"{base}/individuals", {"start": "5"}, "start")
    await assert_400(f"{base}/datasets", {"limit": "5"}, "limit")
    await assert_400(f"{base}/datasets/a%20b", {}, "id")
