"""The read model against brute force, on the random cohort in the real store.

Every lookup kind and filter (hypothesis), then the change log: a job's calls appear at
once and replace the biosample's older calls in the same step, registry changes reach
the attributes and the registry, and a reopened read model keeps what it holds and catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
import pytest_asyncio
from hypothesis import given
from pymongo import AsyncMongoClient

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.params import parse_attributes, parse_filters, parse_match, parse_region
from cnvbeacon.query.read_model import ReadModel, reads, writes
from cnvbeacon.query.read_model.schema import DDL, INDIVIDUAL_COLUMNS
from cnvbeacon.query.views import call_view, variant_view
from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.store.client import Database, MongoClient
from cnvbeacon.shared.store.collections import CALLS as CALLS_COLLECTION
from cnvbeacon.shared.store.collections import INDIVIDUALS
from tests.query.cohort import (
    DATASETS,
    Query,
    brute_force,
    expected_counts,
    expected_variants,
    sort_key,
    store_cohort,
)
from tests.query.test_lookup_properties import CALLS, EXAMPLES, queries, sane
from tests.support.services import wait_for

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stored(mongodb_url: str) -> AsyncIterator[Database]:
    client: MongoClient = AsyncMongoClient(mongodb_url, tz_aware=True)
    name = f"cnvb_test_{uuid.uuid4().hex[:12]}"
    await store_cohort(client[name], CALLS)
    yield client[name]
    await client.drop_database(name)
    await client.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def model(
    stored: Database, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ReadModel]:
    read_model = ReadModel(stored, tmp_path_factory.mktemp("read-model"), poll_s=3600)
    await read_model.open()
    await read_model.sync.catch_up()
    yield read_model
    await read_model.close()


@contextlib.asynccontextmanager
async def stored_cohort(mongodb_url: str) -> AsyncIterator[Database]:
    """The cohort in a database of its own, dropped afterwards."""
    client: MongoClient = AsyncMongoClient(mongodb_url, tz_aware=True)
    db = client[f"cnvb_test_{uuid.uuid4().hex[:12]}"]
    try:
        await store_cohort(db, CALLS)
        yield db
    finally:
        await client.drop_database(db.name)
        await client.close()


FIELDS = reads.DOCUMENT_FIELDS


def call_query(query: Query) -> CallQuery:
    params = query.params()
    region = parse_region(params, "GRCh38")
    return CallQuery(
        tuple(query.datasets) or DATASETS,
        (region.chrom,),
        parse_match(params, region),
        parse_filters(params),
    )


async def check(model: ReadModel, query: Query) -> None:
    expected = brute_force(CALLS, query)
    counts, page = await model.calls_page(call_query(query), 0, 100_000)
    assert counts.as_dict() == expected_counts(expected)
    # The documents the store holds, field for field (the store's provenance fields aside).
    assert page == [{k: c[k] for k in ("_id", *CALL_FIELDS)} for c in expected]
    # Written by DuckDB as JSON: the same views.
    json_counts, encoded = await model.calls_page_json(call_query(query), 0, 100_000, FIELDS)
    assert json_counts == counts
    assert orjson.loads(encoded) == [call_view(c) for c in page]
    _, variants = await model.variants_page(call_query(query), 0, 100_000)
    assert [(v.key.id, [c["_id"] for c in v.calls]) for v in variants] == expected_variants(
        expected
    )
    # With all carriers: the same variants, each with every call of its key in the datasets.
    _, complete = await model.variants_page(call_query(query), 0, 100_000, all_carriers=True)
    keys = {(v.key.chrom, v.key.start, v.key.end, v.key.variant_type) for v in variants}
    datasets = set(query.datasets or DATASETS)
    of_keys = [
        c
        for c in sorted(CALLS, key=sort_key)
        if c["dataset_id"] in datasets
        and (c["chrom"], c["start"], c["end"], c["variant_type"]) in keys
    ]
    assert [(v.key.id, [c["_id"] for c in v.calls]) for v in complete] == expected_variants(of_keys)
    # Written by DuckDB as JSON: the same views.
    for all_carriers, found in ((False, variants), (True, complete)):
        json_counts, encoded = await model.variants_page_json(
            call_query(query), 0, 100_000, all_carriers=all_carriers
        )
        assert json_counts == counts
        assert orjson.loads(encoded) == [variant_view(v) for v in found]


@given(queries(filtered=False))
@EXAMPLES
async def test_windows_match_brute_force(model: ReadModel, query: Query) -> None:
    await check(model, query)


@given(queries(filtered=True))
@EXAMPLES
async def test_filters_match_brute_force(model: ReadModel, query: Query) -> None:
    if sane(query):
        await check(model, query)


def test_json_pages_write_doubles_that_are_not_finite_as_null() -> None:
    con = duckdb.connect()
    for statement in DDL:
        con.execute(statement)
    con.execute(
        "INSERT INTO samples (sample_no, dataset_id, biosample_id, sex)"
        " VALUES (1, 'd', 'S', 'male')"
    )
    con.execute(
        'INSERT INTO calls (id, dataset_id, chrom, start, "end", chrom_rank, sample_no,'
        " copy_ratio, quality) VALUES ('a', 'd', '1', 5, 9, 1, 1, 'nan', 'inf'),"
        " ('b', 'd', '1', 6, 9, 1, 1, 0.5, 7.25)"
    )
    encoded = reads.calls_page_json(
        con, CallQuery(("d",), ("1",)), 0, 10, ("_id", "copy_ratio", "quality", "sex")
    )
    assert orjson.loads(encoded) == [
        {"id": "a", "copy_ratio": None, "quality": None, "sex": "male"},
        {"id": "b", "copy_ratio": 0.5, "quality": 7.25, "sex": "male"},
    ]
    assert reads.calls_page_json(con, CallQuery(("d",), ("2",)), 0, 10, ("_id",)) == b"[]"


async def test_variant_pages_are_slices_of_the_whole(model: ReadModel) -> None:
    query = CallQuery(DATASETS, ("1",))
    _, whole = await model.variants_page(query, 0, 100_000)
    for skip, limit in ((0, 1), (3, 7), (len(whole) - 2, 10)):
        _, page = await model.variants_page(query, skip, limit)
        assert [v.key for v in page] == [v.key for v in whole[skip : skip + limit]]


def _calls(sample: str, digest: str, count: int) -> list[dict[str, Any]]:
    base = next(c for c in CALLS if c["biosample_id"] == sample and c["dataset_id"] == DATASETS[0])
    return [
        {
            **base,
            "_id": f"{DATASETS[0]}:{digest[:8]}:{index}",
            "start": 1000 * (index + 1),
            "end": 1000 * (index + 1) + 500,
            "length": 500,
            "length_class": 2,
            "file_digest": digest,
        }
        for index in range(count)
    ]


async def _sample_calls(model: ReadModel, sample: str) -> int:
    return len(await model.calls_of_biosample([DATASETS[0]], sample))


async def test_a_job_replaces_a_biosample_at_once(mongodb_url: str, tmp_path: Path) -> None:
    async with stored_cohort(mongodb_url) as db:
        model = ReadModel(db, tmp_path, poll_s=3600)
        await model.open()
        await model.sync.catch_up()
        sample = "NA00003"
        before = await _sample_calls(model, sample)
        assert before == sum(
            1 for c in CALLS if c["biosample_id"] == sample and c["dataset_id"] == DATASETS[0]
        )
        digest = "1" * 64
        await call_writer.insert_calls(db, DATASETS[0], _calls(sample, digest, 40))
        await call_writer.remove_superseded(db, DATASETS[0], [sample], digest)
        await call_writer.touch_dataset(
            db, DATASETS[0], "GRCh38", biosample_ids=[sample], file_digest=digest, job_id="j1"
        )
        seen: set[int] = set()
        done = asyncio.Event()

        async def poll() -> None:
            while not done.is_set():
                seen.add(await _sample_calls(model, sample))

        reader = asyncio.create_task(poll())
        await model.sync.catch_up()
        done.set()
        await reader
        assert await _sample_calls(model, sample) == 40
        assert seen <= {before, 40}
        # Rewriting the calls sorted changes no answer.
        whole = CallQuery(DATASETS, ("1", "2"))
        unsorted = await model.calls_page(whole, 0, 100_000)
        await model.database.write(writes.sort_calls)
        assert await model.calls_page(whole, 0, 100_000) == unsorted
        # Only the named biosample was read again; the other stayed as they were.
        others = await model.counts(CallQuery(DATASETS, ("1", "2")))
        assert others.calls == len(CALLS) - before + 40
        # A registry change reaches the attributes of the biosample's calls.
        await call_writer.upsert_individuals(
            db,
            DATASETS[0],
            [
                {
                    "individual_id": sample,
                    "biosample_ids": [sample],
                    "sex": "female",
                    "population": "YRI",
                    "superpopulation": "AFR",
                }
            ],
        )
        await model.sync.catch_up()
        calls = await model.calls_of_biosample([DATASETS[0]], sample)
        assert {(c["sex"], c["population"], c["superpopulation"]) for c in calls} == {
            ("female", "YRI", "AFR")
        }
        await model.close()
        # Reopened: what it holds stays; it catches up with what happened meanwhile.
        await db[CALLS_COLLECTION].delete_many({"biosample_id": sample})
        await call_writer.touch_dataset(
            db, DATASETS[0], "GRCh38", biosample_ids=[sample], file_digest=digest, job_id="j2"
        )
        reopened = ReadModel(db, tmp_path, poll_s=3600)
        await reopened.open()
        assert await _sample_calls(reopened, sample) == 40
        await reopened.sync.catch_up()
        assert await _sample_calls(reopened, sample) == 0
        await reopened.close()


async def test_a_stream_gives_every_call_in_order_in_bounded_batches(model: ReadModel) -> None:
    query = Query("1", 0, 248_956_422)
    expected = brute_force(CALLS, query)
    streamed: list[dict[str, Any]] = []
    async for batch in model.stream(call_query(query), ("_id", "chrom", "start", "end")):
        assert len(batch) <= 5000
        streamed.extend(batch)
    assert [c["_id"] for c in streamed] == [c["_id"] for c in expected]


async def test_a_nudge_catches_up_without_being_asked(mongodb_url: str, tmp_path: Path) -> None:
    async with stored_cohort(mongodb_url) as db:
        # Polls once an hour: only the first catch-up and the nudge make it read the store.
        model = ReadModel(db, tmp_path, poll_s=3600)
        await model.open()
        await wait_for(lambda: _ready(model), what="the first catch-up")
        sample, digest = "NA00004", "2" * 64
        await call_writer.insert_calls(db, DATASETS[0], _calls(sample, digest, 7))
        await call_writer.remove_superseded(db, DATASETS[0], [sample], digest)
        await call_writer.touch_dataset(
            db, DATASETS[0], "GRCh38", biosample_ids=[sample], file_digest=digest, job_id="j"
        )
        model.nudge()

        async def replaced() -> bool:
            return await _sample_calls(model, sample) == 7

        await wait_for(replaced, what="the nudged catch-up")
        await model.close()


async def _ready(model: ReadModel) -> bool:
    return model.ready


def _registered(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored individual documents as the registry shows them, in its order."""
    rows = [
        {**{k: v for k, v in d.items() if k != "_id"}, "id": d["_id"]}
        for d in sorted(documents, key=lambda d: (d["dataset_id"], d["individual_id"]))
    ]
    return [{name: row.get(name) for name in INDIVIDUAL_COLUMNS} for row in rows]


async def test_the_registry_follows_the_store(mongodb_url: str, tmp_path: Path) -> None:
    async with stored_cohort(mongodb_url) as db:
        model = ReadModel(db, tmp_path, poll_s=3600)
        await model.open()
        await model.sync.catch_up()
        stored_individuals = await db[INDIVIDUALS].find({}).to_list(None)
        everyone = CallFilters()
        counts, page = await model.registered_individuals(DATASETS, everyone, 0, 100_000)
        assert page == _registered(stored_individuals)
        assert counts.individuals == len(stored_individuals)
        assert counts.biosamples == sum(len(d["biosample_ids"]) for d in stored_individuals)
        # Filters and pages are those of the whole list.
        eur = parse_attributes({"superpopulation": "EUR", "sex": "female"})
        wanted = [
            d
            for d in _registered(stored_individuals)
            if d["superpopulation"] == "EUR" and d["sex"] == "female"
        ]
        counts, page = await model.registered_individuals(DATASETS, eur, 1, 2)
        assert (counts.individuals, page) == (len(wanted), wanted[1:3])
        _, biosamples = await model.registered_biosamples(DATASETS, eur, 0, 100_000)
        assert [(b["dataset_id"], b["id"]) for b in biosamples] == sorted(
            (d["dataset_id"], b) for d in wanted for b in d["biosample_ids"]
        )
        # A new individual without calls, and a changed one, appear with the change.
        new = {"individual_id": "NA99999", "sex": "male", "population": "GBR"}
        changed = {**new, "individual_id": stored_individuals[0]["individual_id"]}
        dataset = stored_individuals[0]["dataset_id"]
        # Asked before the change (and so remembered until the next write).
        registered_before = await model.registered_count(dataset)
        all_before = (await model.group_sizes(dataset))[0]
        await call_writer.upsert_individuals(db, dataset, [new, changed])
        assert await model.individual(dataset, "NA99999") is None
        await model.sync.catch_up()
        found = await model.individual(dataset, "NA99999")
        assert found is not None
        assert (found["id"], found["biosample_ids"], found["population"]) == (
            f"{dataset}:NA99999",
            ["NA99999"],
            "GBR",
        )
        assert await model.registered_count(dataset) == await db[INDIVIDUALS].count_documents(
            {"dataset_id": dataset}
        )
        assert await model.registered_count(dataset) == registered_before + 1
        all_after = (await model.group_sizes(dataset))[0]
        assert (all_after.code, all_after.registered) == ("all", all_before.registered + 1)
        stored_individuals = await db[INDIVIDUALS].find({}).to_list(None)
        _, page = await model.registered_individuals(DATASETS, everyone, 0, 100_000)
        assert page == _registered(stored_individuals)
        of_biosamples = await model.individuals_of_biosamples(
            {(dataset, changed["individual_id"]), (dataset, "NA00029")}
        )
        assert list(of_biosamples) == [(dataset, changed["individual_id"])]
        assert of_biosamples[(dataset, changed["individual_id"])]["population"] == "GBR"
        # Individuals registered before their dataset's first job are in no change of its
        # log: a dataset new to the read model reads its whole registry.
        late = "late-dataset"
        await call_writer.upsert_individuals(
            db, late, [{"individual_id": f"LATE{n}", "sex": "female"} for n in range(3)]
        )
        digest = "3" * 64
        calls = [
            {**c, "_id": f"{late}:{c['_id']}", "dataset_id": late, "biosample_id": "LATE0"}
            | {"individual_id": "LATE0", "sex": "female", "population": None}
            | {"superpopulation": None}
            for c in _calls("NA00003", digest, 2)
        ]
        await call_writer.insert_calls(db, late, calls)
        await call_writer.touch_dataset(
            db, late, "GRCh38", biosample_ids=["LATE0"], file_digest=digest, job_id="j"
        )
        await model.sync.catch_up()
        assert await model.registered_count(late) == 3
        assert (await model.biosample(late, "LATE0") or {}).get("calls") == 2
        await model.close()
