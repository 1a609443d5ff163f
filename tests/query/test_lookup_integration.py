"""Lookups through the query service over the real store, checked against brute force."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.app import create_app
from cnvbeacon.query.calls import CallLookup, index_queries
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.models import CnvCall
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, ensure_indexes
from tests.conftest import Backends
from tests.support.services import serve

pytestmark = pytest.mark.integration
CHROM_LENGTH = 248_956_422  # chr1, GRCh38
DATASET = "lookup-test"


def random_calls(rng: random.Random, count: int) -> list[dict[str, Any]]:
    calls = []
    for index in range(count):
        # Mostly short calls, some long ones (up to 20 Mb), a few at the chromosome ends.
        length = int(10 ** rng.uniform(2, 7.3))
        start = rng.choice([0, CHROM_LENGTH - length, rng.randrange(0, 30_000_000)])
        loss = rng.random() < 0.8
        copy_number = rng.choice([0, 1]) if loss else rng.choice([3, 4, 5])
        calls.append(
            {
                "_id": f"{DATASET}:{index:06d}",
                "dataset_id": DATASET,
                "assembly": "GRCh38",
                "chrom": "1",
                "start": start,
                "end": start + length,
                "length": length,
                "length_class": length_class(length),
                "variant_type": "DEL" if loss else "DUP",
                "efo_id": "EFO:0030068" if loss else "EFO:0030071",
                "copy_number": float(copy_number),
                "copy_ratio": None,
                "genotype": None,
                "zygosity_id": None,
                "quality": 30.0,
                "filters": ["PASS"],
                "is_pass": rng.random() < 0.3,
                "vcf_id": None,
                "biosample_id": f"S{index % 40}",
                "individual_id": f"S{index % 40}",
                "sex": None,
                "population": None,
                "superpopulation": None,
                "file_digest": "0" * 64,
                "job_id": "job-test",
                "source_line": index + 1,
            }
        )
    return calls


def brute_force(calls: list[dict[str, Any]], window: Window) -> list[str]:
    return [
        c["_id"]
        for c in sorted(calls, key=lambda c: (c["start"], c["end"], c["_id"]))
        if window.accepts(c["start"], c["end"])
    ]


@pytest_asyncio.fixture
async def stored_calls(database: Database) -> list[dict[str, Any]]:
    await ensure_indexes(database)
    calls = random_calls(random.Random(20261122), 3000)
    for call in calls[:3]:
        CnvCall.model_validate(call)
    await call_writer.insert_calls(database, DATASET, calls)
    await call_writer.touch_dataset(database, DATASET, "GRCh38")
    return calls


@pytest_asyncio.fixture
async def query_url(backends_env: Backends) -> AsyncIterator[str]:
    settings = QuerySettings.model_validate(
        {
            "mongodb_url": backends_env.mongodb_url,
            "mongodb_database": backends_env.database,
            "log_json": False,
            "max_page_size": 5000,
        }
    )
    async with serve(create_app(settings)) as url:
        yield url


async def test_every_match_kind_equals_brute_force(
    stored_calls: list[dict[str, Any]], query_url: str
) -> None:
    rng = random.Random(7)
    async with ClientSession() as session:
        for _ in range(60):
            start = rng.randrange(0, 31_000_000)
            end = start + int(10 ** rng.uniform(0, 6.5))
            match = rng.choice([m for m in Match if m is not Match.BRACKET])
            window = Window(match, start, end)
            params = {
                "chrom": "chr1",
                "start": str(start),
                "end": str(end),
                "match": match.value,
                "limit": "5000",
            }
            async with session.get(f"{query_url}/calls", params=params) as response:
                body = await response.json()
                assert response.status == 200, body
            expected = brute_force(stored_calls, window)
            assert [c["id"] for c in body["calls"]] == expected, (match, start, end)
            assert body["total_calls"] == len(expected)


async def test_chromosome_end_and_pagination(
    stored_calls: list[dict[str, Any]], query_url: str
) -> None:
    window = Window(Match.OVERLAP, CHROM_LENGTH - 1000, CHROM_LENGTH)
    expected = brute_force(stored_calls, window)
    assert expected
    seen: list[str] = []
    async with ClientSession() as session:
        for skip in range(0, len(expected) + 3, 3):
            params = {
                "chrom": "1",
                "start": str(window.start),
                "end": str(window.end),
                "skip": str(skip),
                "limit": "3",
            }
            async with session.get(f"{query_url}/calls", params=params) as response:
                seen.extend(c["id"] for c in (await response.json())["calls"])
    assert seen == expected


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"chrom": "chr99", "start": "1", "end": "2"}, "chrom"),
        ({"chrom": "1", "start": "20", "end": "10"}, "start"),
        ({"chrom": "1", "start": "-5", "end": "10"}, "start"),
        ({"chrom": "1", "start": "x", "end": "10"}, "start"),
        ({"chrom": "1", "start": "1", "end": "10", "limit": "99999999"}, "limit"),
        ({"chrom": "1", "start": "1", "end": "10", "colour": "red"}, "colour"),
        ({"chrom": "1", "start": "1", "end": "10", "variant_type": "SNV"}, "variant_type"),
        ({"gene": "NOT_A_GENE_XYZ"}, "gene"),
        ({"cytoband": "1q99"}, "cytoband"),
        ({"chrom": "1", "start": "1", "end": "10", "biosample_id": "a b"}, "biosample_id"),
    ],
)
async def test_bad_requests_name_the_parameter(
    query_url: str, params: dict[str, str], parameter: str
) -> None:
    async with (
        ClientSession() as session,
        session.get(f"{query_url}/calls", params=params) as response,
    ):
        body = await response.json()
    assert response.status == 400, body
    assert body["error"]["parameter"] == parameter


async def test_every_index_query_is_a_tight_index_scan(
    stored_calls: list[dict[str, Any]], database: Database
) -> None:
    lookup = CallLookup((DATASET,), "1", Window(Match.OVERLAP, 10_000_000, 12_000_000))
    queries = await index_queries(database, lookup)
    assert len(queries) >= 4
    for query in queries:
        plan = await database.command(
            "explain",
            {"find": CALLS, "filter": query, "sort": {"start": 1}},
            verbosity="executionStats",
        )
        winning = plan["queryPlanner"]["winningPlan"]
        stages = []
        while winning:
            stages.append(winning["stage"])
            winning = winning.get("inputStage")
        assert "IXSCAN" in stages, plan["queryPlanner"]
        assert "COLLSCAN" not in stages
        stats = plan["executionStats"]
        assert stats["totalKeysExamined"] <= stats["nReturned"] + 1, stats
