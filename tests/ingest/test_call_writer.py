"""The call writer against the real store: replacement by a newer file, via index scans."""

from __future__ import annotations

from typing import Any

import pytest

from cnvbeacon.ingest import call_writer
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, ensure_indexes

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

    plan = await database.command(
        "explain",
        {"find": CALLS, "filter": {"dataset_id": "d", "biosample_id": {"$in": ["S1"]}}},
        verbosity="executionStats",
    )
    assert plan["executionStats"]["totalDocsExamined"] == 10, plan["executionStats"]
