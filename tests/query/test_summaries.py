"""Count summaries: kept in the store across restarts, and never used once the data changed."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from aiohttp import ClientSession

from cnvbeacon.ingest import call_writer
from cnvbeacon.query import summary_store
from cnvbeacon.query.app import create_app
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.query.summary_build import build_summary
from cnvbeacon.query.summary_store import PART_ROWS, load_summary, save_summary
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import COUNT_SUMMARIES, JOBS
from tests.conftest import Backends
from tests.query.cohort import expected_counts, random_calls, store_cohort
from tests.support.services import serve, wait_for

pytestmark = pytest.mark.integration


async def test_a_stored_summary_loads_identical(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = random_calls(seed=1, count=600)
    for index, call in enumerate(calls):
        call["vcf_id"] = None if index % 2 else f"call-{index}-é"
    await store_cohort(database, calls)
    monkeypatch.setattr(summary_store, "PART_ROWS", 37)  # several parts per chromosome
    built = await build_summary(database, "cohort-a")
    assert built is not None
    await save_summary(database, built)
    loaded = await load_summary(database, "cohort-a", built.data_version)
    assert loaded is not None
    assert loaded.read_from == built.read_from
    assert loaded.vocabularies == built.vocabularies
    assert set(loaded.chroms) == set(built.chroms)
    for chrom, columns in built.chroms.items():
        other = loaded.chroms[chrom]
        for name in ("start", "end", "length", "length_class", "variant_type", "is_pass"):
            np.testing.assert_array_equal(getattr(other, name), getattr(columns, name))
        for name in ("copy_number", "copy_ratio", "quality"):
            np.testing.assert_array_equal(getattr(other, name), getattr(columns, name))
        for name, text in columns.texts.items():
            assert other.texts[name].data == text.data
            np.testing.assert_array_equal(other.texts[name].offsets, text.offsets)
            np.testing.assert_array_equal(other.texts[name].missing, text.missing)
        for field, codes in columns.codes.items():
            np.testing.assert_array_equal(other.codes[field], codes)
        assert other.longest == columns.longest
    assert await load_summary(database, "cohort-a", built.data_version + 1) is None
    assert PART_ROWS >= 1000


async def counts_of(url: str, dataset: str) -> tuple[dict[str, int], str]:
    async with (
        ClientSession() as session,
        session.get(f"{url}/counts", params={"datasets": dataset}) as response,
    ):
        body = await response.json()
    return body["counts"], body["counted_by"]


async def summary_of(url: str, dataset: str) -> dict[str, str]:
    async with ClientSession() as session, session.get(f"{url}/datasets/{dataset}") as response:
        summary: dict[str, str] = (await response.json())["dataset"]["summary"]
    assert summary["state"] == "current"
    return summary


async def test_summaries_follow_the_data(backends_env: Backends, database: Database) -> None:
    calls = random_calls(seed=2, count=500)
    await store_cohort(database, calls)
    dataset = "cohort-a"
    own = [c for c in calls if c["dataset_id"] == dataset]
    settings = QuerySettings.model_validate(
        {
            "mongodb_url": backends_env.mongodb_url,
            "mongodb_database": backends_env.database,
            "log_json": False,
            "summary_poll_s": 0.2,
        }
    )

    async def summarised(url: str) -> bool:
        return (await counts_of(url, dataset))[1] == "summary"

    async with serve(create_app(settings)) as url:
        await wait_for(lambda: summarised(url), timeout=30, what="a summary")
        assert await counts_of(url, dataset) == (expected_counts(own), "summary")
        # A job starts: its calls may be arriving, so counts scan until it is summarised again.
        await database[JOBS].insert_one(
            {
                "_id": "j-new",
                "dataset_id": dataset,
                "state": "running",
                "created_at": datetime.now(UTC),
                "started_at": datetime.now(UTC),
            }
        )
        extra = random_calls(seed=3, count=40)
        for call in extra:
            call["_id"] = f"{dataset}:new:{call['_id']}"
            call["dataset_id"] = dataset
        await call_writer.insert_calls(database, dataset, extra)
        assert await counts_of(url, dataset) == (expected_counts(own + extra), "scan")
        await database[JOBS].update_one({"_id": "j-new"}, {"$set": {"state": "succeeded"}})
        await call_writer.touch_dataset(database, dataset, "GRCh38")
        assert await counts_of(url, dataset) == (expected_counts(own + extra), "scan")
    stored = await database[COUNT_SUMMARIES].count_documents(
        {"manifest": True, "dataset_id": dataset, "data_version": 1}
    )
    assert stored == 1  # the first version's, still (the job is too recent to rebuild)
    # A new replica loads the stored summary of the current version, once there is one.
    await database[JOBS].update_one(
        {"_id": "j-new"}, {"$set": {"started_at": datetime(2020, 1, 1, tzinfo=UTC)}}
    )
    async with serve(create_app(settings)) as url:
        await wait_for(lambda: summarised(url), timeout=30, what="a new summary")
        assert await counts_of(url, dataset) == (expected_counts(own + extra), "summary")
        built = await summary_of(url, dataset)
    async with serve(create_app(settings)) as url:
        await wait_for(lambda: summarised(url), timeout=30, what="the stored summary")
        # Loaded, not built again: it holds the calls as read by the previous replica.
        assert await summary_of(url, dataset) == built
