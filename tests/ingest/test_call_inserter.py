"""The worker's single insert stream against the real store: concurrent jobs' batches are
joined into fewer inserts, and each job still learns exactly what happened to its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import BulkWriteError

from cnvbeacon.ingest.call_inserter import CallInserter
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, LENGTH_CLASS_MAX, ensure_indexes
from tests.conftest import Backends

pytestmark = pytest.mark.integration


class CallInserts(monitoring.CommandListener):
    """The sizes of the insert commands sent to the calls collection."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "insert" and event.command.get("insert") == CALLS:
            self.sizes.append(len(event.command.get("documents", ())))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest_asyncio.fixture
async def observed(backends_env: Backends) -> AsyncIterator[tuple[Database, CallInserts]]:
    inserts = CallInserts()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        backends_env.mongodb_url, event_listeners=[inserts]
    )
    db = client[backends_env.database]
    await ensure_indexes(db)
    yield db, inserts
    await client.close()


def calls(job: str, count: int, *, dataset: str = "d", length: int = 500) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"{dataset}:{job}:{i}",
            "dataset_id": dataset,
            "biosample_id": job,
            "file_digest": job,
            "chrom": "1",
            "start": i * 1000,
            "end": i * 1000 + length,
            "length": length,
            "length_class": length_class(length),
        }
        for i in range(count)
    ]


async def test_concurrent_batches_are_joined_up_to_the_limit(
    observed: tuple[Database, CallInserts],
) -> None:
    db, inserts = observed
    inserter = CallInserter(db, max_calls=1000)
    jobs = [calls(f"S{n}", 300) for n in range(5)]
    await asyncio.gather(*(inserter.insert("d", batch) for batch in jobs))
    # The first three wait together (900 calls); a fourth would pass 1,000.
    assert inserts.sizes == [900, 600]
    assert await db[CALLS].count_documents({}) == 1500


async def test_a_lone_batch_larger_than_the_limit_is_still_inserted(
    observed: tuple[Database, CallInserts],
) -> None:
    db, inserts = observed
    await CallInserter(db, max_calls=100).insert("d", calls("S1", 250))
    assert inserts.sizes == [250]


async def test_calls_already_stored_are_no_error(observed: tuple[Database, CallInserts]) -> None:
    db, _ = observed
    inserter = CallInserter(db, max_calls=1000)
    await inserter.insert("d", calls("S1", 40))
    # A retried job and a new one, joined: the retry's calls are skipped, the new ones stored.
    await asyncio.gather(
        inserter.insert("d", calls("S1", 60)), inserter.insert("d", calls("S2", 5))
    )
    assert await db[CALLS].count_documents({"biosample_id": "S1"}) == 60
    assert await db[CALLS].count_documents({"biosample_id": "S2"}) == 5


async def test_a_bad_call_fails_only_the_batch_it_came_in(
    observed: tuple[Database, CallInserts],
) -> None:
    db, inserts = observed
    # A store-side rule, so that the store itself refuses one call.
    await db.command("collMod", CALLS, validator={"length": {"$gte": 0}})
    inserter = CallInserter(db, max_calls=1000)
    bad = calls("BAD", 3)
    bad[1]["length"] = -1
    outcomes = await asyncio.gather(
        inserter.insert("d", calls("S1", 10)),
        inserter.insert("d", bad),
        inserter.insert("d", calls("S2", 10)),
        return_exceptions=True,
    )
    assert inserts.sizes == [23]
    assert outcomes[0] is None
    assert outcomes[2] is None
    assert isinstance(outcomes[1], BulkWriteError), outcomes
    # Its error names the call by its place in the batch, not in the joined insert.
    assert [e["index"] for e in outcomes[1].details["writeErrors"]] == [1]
    assert await db[CALLS].count_documents({"biosample_id": {"$in": ["S1", "S2"]}}) == 20
    # The bad batch's good calls are stored: a retry would skip them, as after a crash.
    assert await db[CALLS].count_documents({"biosample_id": "BAD"}) == 2
    # Alone, the bad batch fails the same way.
    with pytest.raises(BulkWriteError) as alone:
        await inserter.insert("d", bad)
    assert [e["index"] for e in alone.value.details["writeErrors"]] == [1]


async def test_a_cancelled_caller_withdraws_calls_still_waiting(
    observed: tuple[Database, CallInserts],
) -> None:
    db, inserts = observed
    inserter = CallInserter(db, max_calls=500)
    first = asyncio.create_task(inserter.insert("d", calls("S1", 500)))
    second = asyncio.create_task(inserter.insert("d", calls("S2", 10)))
    await asyncio.sleep(0)  # both batches are waiting; the first fills a whole insert
    second.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    await inserter.insert("d", calls("S3", 1))  # the writer goes on serving others
    assert inserts.sizes == [500, 1]
    assert await db[CALLS].count_documents({"biosample_id": "S2"}) == 0


@pytest.mark.parametrize("steps", [1, 4], ids=["before it starts", "mid-insert"])
async def test_a_cancelled_writer_cancels_every_waiting_caller(
    observed: tuple[Database, CallInserts], steps: int
) -> None:
    """At shutdown the loop cancels the writer: no job may wait on it for ever."""
    db, _ = observed
    inserter = CallInserter(db, max_calls=500)
    callers = [asyncio.create_task(inserter.insert("d", calls(f"S{n}", 500))) for n in range(2)]
    for _ in range(steps):
        await asyncio.sleep(0)
    writer = inserter._writer
    assert writer is not None
    writer.cancel()
    outcomes = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), 10)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes), outcomes
    await inserter.insert("d", calls("S3", 1))  # a new writer serves later callers
    assert await db[CALLS].count_documents({"biosample_id": "S3"}) == 1


async def test_length_maxima_cover_every_dataset_of_a_joined_insert(
    observed: tuple[Database, CallInserts],
) -> None:
    db, inserts = observed
    inserter = CallInserter(db, max_calls=1000)
    await asyncio.gather(
        inserter.insert("d1", calls("S1", 2, dataset="d1", length=700)),
        inserter.insert("d2", calls("S2", 2, dataset="d2", length=90_000)),
    )
    assert inserts.sizes == [4]
    maxima = {
        doc["dataset_id"]: (doc["length_class"], doc["max_length"])
        async for doc in db[LENGTH_CLASS_MAX].find({})
    }
    assert maxima == {"d1": (length_class(700), 700), "d2": (length_class(90_000), 90_000)}
