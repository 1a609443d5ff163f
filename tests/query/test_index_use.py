"""Every store query the service issues is an index scan that examines about as many keys
as it returns (checked with explain on the real store)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from cnvbeacon.query.calls import CallLookup, find_calls, index_queries
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, INDIVIDUALS, JOBS, LENGTH_CLASS_MAX
from tests.query.cohort import DATASETS, StoredCohort, cohort_services

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=7, count=3000) as stored:
        yield stored


async def explain(db: Database, collection: str, query: dict[str, Any]) -> dict[str, Any]:
    plan: dict[str, Any] = await db.command(
        "explain", {"find": collection, "filter": query}, verbosity="executionStats"
    )
    return plan


def stages(plan: dict[str, Any]) -> list[str]:
    found = []
    node = plan["queryPlanner"]["winningPlan"]
    while node:
        found.append(node["stage"])
        node = node.get("inputStage")
    return found


async def assert_tight_index_scan(db: Database, collection: str, query: dict[str, Any]) -> None:
    plan = await explain(db, collection, query)
    assert "IXSCAN" in stages(plan), (query, plan["queryPlanner"])
    assert "COLLSCAN" not in stages(plan)
    stats = plan["executionStats"]
    assert stats["totalKeysExamined"] <= 2 * stats["nReturned"] + 1, (query, stats)


WINDOWS = [
    Window(Match.OVERLAP, 10_000_000, 12_000_000),
    Window(Match.OVERLAP, 5_000_000, 5_000_000),
    Window(Match.CONTAINED, 1_000_000, 30_000_000),
    Window(Match.SPANNING, 20_000_000, 20_000_100),
    Window(Match.EXACT, 3_000_000, 3_050_000),
    Window(Match.BRACKET, 1_000_000, 9_000_000, start_max=2_000_000, end_min=8_000_000),
]


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: w.match.value)
async def test_every_lookup_kind_is_one_tight_index_scan_per_length_class(
    cohort: StoredCohort, window: Window
) -> None:
    db = cohort.database
    lookup = CallLookup(DATASETS, "1", window, CallFilters(min_length=50))
    queries = await index_queries(db, lookup)
    assert queries
    returned = 0
    for query in queries:
        await assert_tight_index_scan(db, CALLS, query)
        returned += (await explain(db, CALLS, query))["executionStats"]["nReturned"]
    matching = sorted(
        (c for c in cohort.calls if c["chrom"] == "1" and lookup.accepts(c)),
        key=lambda c: (c["start"], c["end"], c["_id"]),
    )
    assert returned >= len(matching)
    assert [c["_id"] async for c in find_calls(db, lookup)] == [c["_id"] for c in matching]


async def test_record_and_bookkeeping_queries_use_indexes(cohort: StoredCohort) -> None:
    db = cohort.database
    call = cohort.calls[0]
    await assert_tight_index_scan(db, CALLS, {"_id": call["_id"]})
    await assert_tight_index_scan(
        db, CALLS, {"dataset_id": call["dataset_id"], "biosample_id": call["biosample_id"]}
    )
    await assert_tight_index_scan(db, INDIVIDUALS, {"dataset_id": DATASETS[0]})
    await assert_tight_index_scan(
        db, INDIVIDUALS, {"dataset_id": DATASETS[0], "individual_id": call["individual_id"]}
    )
    await assert_tight_index_scan(
        db, INDIVIDUALS, {"dataset_id": DATASETS[0], "biosample_ids": {"$in": ["NA00001"]}}
    )
    await assert_tight_index_scan(
        db, LENGTH_CLASS_MAX, {"_id": {"$in": [f"{DATASETS[0]}|1|{c}" for c in range(10)]}}
    )
    await db[JOBS].insert_one(
        {
            "_id": "j1",
            "dataset_id": DATASETS[0],
            "state": "succeeded",
            "created_at": datetime.now(UTC),
            "started_at": datetime.now(UTC),
        }
    )
    await assert_tight_index_scan(db, JOBS, {"state": "running"})
    await assert_tight_index_scan(
        db,
        JOBS,
        {"dataset_id": DATASETS[0], "started_at": {"$gte": datetime(2020, 1, 1, tzinfo=UTC)}},
    )
