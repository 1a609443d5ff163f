"""Single-record lookups and listings a Beacon gateway needs, against the stored data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from cnvbeacon.shared.models import Individual
from cnvbeacon.shared.reference import genes_of_call
from tests.query.cohort import DATASETS, StoredCohort, cohort_services, expected_counts

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=9, count=800) as stored:
        yield stored


async def get(url: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
    async with ClientSession() as session, session.get(url, params=params or {}) as r:
        return r.status, await r.json()


async def test_call_by_id(cohort: StoredCohort) -> None:
    call = cohort.calls[17]
    status, body = await get(f"{cohort.url}/calls/{call['_id']}")
    assert status == 200
    expected = {k: v for k, v in call.items() if k not in ("_id", "file_digest", "job_id")}
    expected = {k: v for k, v in expected.items() if k not in ("source_line", "length_class")}
    assert body["call"] == {"id": call["_id"], **expected}
    status, body = await get(f"{cohort.url}/calls/cohort-a:999999")
    assert (status, body["error"]["status"]) == (404, 404)


async def test_calls_with_some_fields_are_the_full_calls_cut(cohort: StoredCohort) -> None:
    region = {"chrom": "1", "start": "1", "end": "248956422", "limit": "300"}
    status, full = await get(f"{cohort.url}/calls", region)
    assert status == 200
    assert full["calls"]
    fields = {**region, "fields": " end, id,start ,copy_number,genes"}
    status, cut = await get(f"{cohort.url}/calls", fields)
    assert status == 200
    assert cut["counts"] == full["counts"]
    assert cut["calls"] == [
        {
            **{name: call[name] for name in ("id", "start", "end", "copy_number")},
            "genes": genes_of_call(call["chrom"], call["start"], call["end"], call["assembly"]),
        }
        for call in full["calls"]
    ]
    assert any(call["genes"] for call in cut["calls"])
    biosample = full["calls"][0]["biosample_id"]
    path = f"{cohort.url}/biosamples/{biosample}/calls"
    status, whole = await get(path, {"limit": "1000"})
    assert status == 200
    status, cut = await get(path, {"limit": "1000", "fields": "id,genes"})
    assert status == 200
    assert cut["calls"] == [
        {
            "id": call["id"],
            "genes": genes_of_call(call["chrom"], call["start"], call["end"], call["assembly"]),
        }
        for call in whole["calls"]
    ]


async def test_variant_by_id(cohort: StoredCohort) -> None:
    call = cohort.calls[3]
    key = (call["chrom"], call["start"], call["end"], call["variant_type"])
    carriers = sorted(
        c["_id"]
        for c in cohort.calls
        if (c["chrom"], c["start"], c["end"], c["variant_type"]) == key
    )
    variant_id = f"GRCh38:{call['chrom']}:{call['start']}-{call['end']}:{call['variant_type']}"
    status, body = await get(f"{cohort.url}/variants/{variant_id}")
    assert status == 200, body
    variant = body["variant"]
    assert variant["id"] == variant_id
    assert sorted(c["call_id"] for c in variant["carriers"]) == carriers
    assert variant["call_count"] == len(carriers)
    status, _ = await get(f"{cohort.url}/variants/{variant_id}", {"datasets": "cohort-b"})
    in_b = [i for i in carriers if i.startswith("cohort-b")]
    assert status == (200 if in_b else 404)
    other = "DUP" if call["variant_type"] != "DUP" else "DEL"
    status, _ = await get(f"{cohort.url}/variants/{variant_id[:-3]}{other}")
    exists = any(
        (c["chrom"], c["start"], c["end"], c["variant_type"]) == (*key[:3], other)
        for c in cohort.calls
    )
    assert status == (200 if exists else 404)


async def test_biosample_and_its_calls_paged(cohort: StoredCohort) -> None:
    dataset = DATASETS[0]
    own = [c for c in cohort.calls if c["biosample_id"] == "NA00029" and c["dataset_id"] == dataset]
    assert own
    status, body = await get(f"{cohort.url}/biosamples/NA00029", {"datasets": dataset})
    assert status == 200
    # NA00029 has calls but no registered individual.
    assert body["biosamples"][0]["registered"] is False
    assert body["biosamples"][0]["has_calls"] is True
    seen: list[str] = []
    for skip in range(0, len(own) + 5, 5):
        status, body = await get(
            f"{cohort.url}/biosamples/NA00029/calls",
            {"datasets": dataset, "skip": str(skip), "limit": "5"},
        )
        assert body["counts"]["calls"] == len(own)
        seen.extend(c["id"] for c in body["calls"])
    order = {"1": 0, "2": 1}
    expected = sorted(own, key=lambda c: (order[c["chrom"]], c["start"], c["end"], c["_id"]))
    assert seen == [c["_id"] for c in expected]
    status, _ = await get(f"{cohort.url}/biosamples/NOPE")
    assert status == 404


async def test_individuals_registry_by_id_and_filtered(cohort: StoredCohort) -> None:
    status, body = await get(f"{cohort.url}/individuals/NA00001")
    assert status == 200
    for record in body["individuals"]:
        Individual.model_validate(record)  # what the gateway's records are built from
        assert record["individual_id"] == "NA00001"
    registered = {
        (c["dataset_id"], c["individual_id"]): c
        for c in cohort.calls
        if c["individual_id"] != "NA00029"
    }
    females = sorted(k for k, c in registered.items() if c["sex"] == "female")
    status, body = await get(f"{cohort.url}/individuals", {"sex": "female", "limit": "1000"})
    assert [(i["dataset_id"], i["individual_id"]) for i in body["individuals"]] == females
    assert body["counts"]["individuals"] == len(females)
    status, body = await get(
        f"{cohort.url}/biosamples", {"datasets": DATASETS[1], "limit": "2", "skip": "1"}
    )
    in_b = sorted(k[1] for k in registered if k[0] == DATASETS[1])
    assert [b["id"] for b in body["biosamples"]] == in_b[1:3]
    assert body["counts"]["biosamples"] == len(in_b)


async def test_datasets_with_counts(cohort: StoredCohort) -> None:
    status, body = await get(f"{cohort.replica_url}/datasets")
    assert status == 200
    listed = body["datasets"]
    assert [d["id"] for d in listed] == list(DATASETS)
    for dataset in body["datasets"]:
        own = [c for c in cohort.calls if c["dataset_id"] == dataset["id"]]
        assert dataset["counts"] == expected_counts(own)
        assert dataset["data_version"] == 1
        assert "changes" not in dataset  # the store's change log is not the dataset's own
    _, body = await get(f"{cohort.url}/datasets/{DATASETS[0]}")
    assert body["dataset"] == next(d for d in listed if d["id"] == DATASETS[0])


async def test_dataset_populations_count_the_individuals_with_data(cohort: StoredCohort) -> None:
    for dataset in DATASETS:
        own = [c for c in cohort.calls if c["dataset_id"] == dataset]
        with_data = {c["individual_id"]: c for c in own}
        registered = {i for i in with_data if i != "NA00029"}  # one is not registered
        status, body = await get(f"{cohort.replica_url}/populations", {"datasets": dataset})
        assert status == 200
        (answer,) = body["datasets"]
        assert answer["dataset_id"] == dataset
        groups = {(g["level"], g["code"]): g for g in answer["groups"]}
        codes = {("all", "all")} | {
            (level, c[level])
            for c in own
            for level in ("superpopulation", "population")
            if c[level]
        }
        assert set(groups) == codes
        for (level, code), group in groups.items():
            members = [c for c in with_data.values() if code in ("all", c.get(level))]
            assert group["individuals"] == len(members)
            assert group["female"] == sum(c["sex"] == "female" for c in members)
            assert group["male"] == sum(c["sex"] == "male" for c in members)
            assert group["registered"] == sum(c["individual_id"] in registered for c in members)
    status, body = await get(f"{cohort.url}/populations", {"datasets": "nope"})
    assert (status, body["error"]["parameter"]) == (400, "datasets")


@pytest.mark.parametrize(
    "params",
    [
        {"chrom": "1", "start": "0", "end": "50000000", "variant_type": "EFO:0030067"},
        {"chrom": "2", "start": "1000000", "end": "90000000", "sex": "female"},
        {"variant_type": "EFO:0030070", "datasets": "cohort-b"},
    ],
)
async def test_carrier_groups_count_the_carrying_individuals_of_each_group(
    cohort: StoredCohort, params: dict[str, str]
) -> None:
    status, calls = await get(f"{cohort.url}/calls", {**params, "limit": "100000"})
    assert status == 200, calls
    status, body = await get(f"{cohort.url}/carrier_groups", params)
    assert status == 200, body
    datasets = params.get("datasets", ",".join(DATASETS)).split(",")
    assert [d["dataset_id"] for d in body["datasets"]] == datasets
    for answer in body["datasets"]:
        carriers = {
            c["individual_id"]: c for c in calls["calls"] if c["dataset_id"] == answer["dataset_id"]
        }
        expected = {("all", "all"): len(carriers)}
        for carrier in carriers.values():
            for level in ("superpopulation", "population"):
                if carrier[level]:
                    key = (level, carrier[level])
                    expected[key] = expected.get(key, 0) + 1
        assert {(g["level"], g["code"]): g["carriers"] for g in answer["groups"]} == expected
    assert any(g["carriers"] for answer in body["datasets"] for g in answer["groups"])
