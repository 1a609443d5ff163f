"""The call writer against the real store: replacement by a newer file, via index scans."""

from __future__ import annotations

from typing import Any

import pytest

from cnvbeacon.ingest import call_writer
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, INDIVIDUALS, ensure_indexes

pytestmark = pytest.mark.integration


def calls(biosample: str, digest: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"d:{digest}:{biosample}:{i}",
            "dataset_id": "d",
            "biosample_id": biosample,
            "file_digest": digest,
            "chrom": "1",
            "start": i * 1000,
            "end": i * 1000 + 500,
            "length": 500,
            "length_class": length_class(500),
        }
        for i in range(count)
    ]


async def test_a_newer_file_replaces_only_its_biosamples_calls(database: Database) -> None:
    await ensure_indexes(database)
    await call_writer.insert_calls(database, "d", calls("S1", "old", 30) + calls("S2", "old", 20))
    await call_writer.insert_calls(database, "d", calls("S1", "new", 10))
    removed = await call_writer.remove_superseded(database, "d", {"S1"}, "new")
    assert removed == 30
    assert await database[CALLS].count_documents({"biosample_id": "S1"}) == 10
    assert await database[CALLS].count_documents({"biosample_id": "S1", "file_digest": "new"}) == 10
    assert await database[CALLS].count_documents({"biosample_id": "S2"}) == 20
    # Repeating it (a retried job) removes nothing more.
    assert await call_writer.remove_superseded(database, "d", {"S1"}, "new") == 0

    # Each range of other digests is a tight scan of the biosample index (no COLLSCAN).
    for other_digests in call_writer.superseded_digest_ranges("new"):
        plan = await database.command(
            "explain",
            {
                "find": CALLS,
                "filter": {"dataset_id": "d", "biosample_id": "S2", "file_digest": other_digests},
            },
            verbosity="executionStats",
        )
        assert "COLLSCAN" not in str(plan["queryPlanner"]["winningPlan"]), plan
        assert plan["executionStats"]["totalDocsExamined"] <= 20, plan["executionStats"]


async def test_the_other_digest_ranges_select_exactly_every_other_digest(
    database: Database,
) -> None:
    await ensure_indexes(database)
    digests = ["a", "ne", "new", "new\x00", "new\x01", "newa", "nex", "z", "\U0001f600"]
    for digest in digests:
        await call_writer.insert_calls(database, "d", calls("S1", digest, 2))
    found: list[str] = []
    for other_digests in call_writer.superseded_digest_ranges("new"):
        query = {"dataset_id": "d", "biosample_id": "S1", "file_digest": other_digests}
        found += [doc["file_digest"] async for doc in database[CALLS].find(query)]
    assert sorted(found) == sorted(2 * [digest for digest in digests if digest != "new"])


async def test_calls_get_their_individuals_attributes_and_late_changes(database: Database) -> None:
    await ensure_indexes(database)
    await call_writer.upsert_individuals(
        database,
        "d",
        [{"individual_id": "I1", "biosample_ids": ["S1"], "sex": "female", "population": "GBR"}],
    )
    attributes = await call_writer.individual_attributes(database, "d", ["S1", "S2"])
    assert attributes == {
        "S1": {"individual_id": "I1", "sex": "female", "population": "GBR", "superpopulation": None}
    }
    written = {**attributes, "S2": {}}
    await call_writer.insert_calls(database, "d", calls("S1", "a", 3) + calls("S2", "a", 2))
    # Nothing changed since parsing: no call is rewritten.
    await call_writer.apply_individual_attributes(database, "d", written)
    assert await database[CALLS].count_documents({"sex": {"$exists": True}}) == 0
    # S2 was loaded while the job ran: its calls get the attributes, S1's stay as written.
    await database[INDIVIDUALS].insert_one(
        {
            "_id": "d:I2",
            "dataset_id": "d",
            "individual_id": "I2",
            "biosample_ids": ["S2"],
            "sex": "male",
        }
    )
    await call_writer.apply_individual_attributes(database, "d", written)
    assert await database[CALLS].count_documents({"biosample_id": "S2", "sex": "male"}) == 2
    assert (
        await database[CALLS].count_documents({"biosample_id": "S1", "sex": {"$exists": True}}) == 0
    )
