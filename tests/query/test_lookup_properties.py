"""Every lookup kind and filter against brute force, through the real store and service.

One random cohort per module (two datasets, calls past 10 Mb and at chromosome ends);
hypothesis draws windows and filters. Each query is asked of two services over the same
store: one counting by scans, one with current count summaries, so both ways to counts
and pages are checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.query.cohort import (
    DATASETS,
    LENGTHS,
    SPAN,
    VARIANT_TYPE_TERMS,
    Query,
    StoredCohort,
    brute_force,
    cohort_services,
    expected_counts,
    expected_variants,
    random_calls,
)

pytestmark = pytest.mark.integration

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


SEED, COUNT = 20261122, 2500
# The stored calls are known in advance, so windows and lengths can hit their edges exactly.
CALLS = random_calls(SEED, COUNT)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cohort(mongodb_url: str) -> AsyncIterator[StoredCohort]:
    async with cohort_services(mongodb_url, seed=SEED, count=COUNT) as stored:
        assert stored.calls == CALLS
        yield stored


def near(value: int) -> st.SearchStrategy[int]:
    return st.integers(max(value - 1, 0), value + 1)


@st.composite
def queries(draw: st.DrawFn, *, filtered: bool) -> Query:
    """A window and filters drawn around a target call, so that its edges (and length,
    copy number, attributes) meet the query's bounds exactly, or anywhere at random.
    filtered: one to three filters, each usually at the target's own value; else none."""
    target = draw(st.sampled_from(CALLS))
    chrom = target["chrom"]
    length = LENGTHS[chrom]
    around = st.one_of(st.just(0), st.just(1), st.integers(0, 50_000))
    if filtered or draw(st.booleans()):  # a window at the target's edges
        start = max(target["start"] - draw(around), 0)
        end = min(max(target["end"] + draw(around) - draw(around), start), length)
    else:
        start = draw(st.one_of(st.integers(0, SPAN), st.just(0), st.just(length)))
        start = draw(st.one_of(st.just(start), st.integers(length - 2_000_000, length)))
        size = draw(st.one_of(st.just(0), st.integers(1, 100), st.integers(0, 30_000_000)))
        end = min(start + size, length)
    kinds = ["overlap", "contained", "spanning", "exact", "bracket"]
    match = draw(st.sampled_from(kinds[:2] if filtered else kinds))
    start_max = end_min = None
    if match == "bracket":
        start_max = draw(st.one_of(st.integers(start, end), near(target["start"] + 1)))
        end_min = draw(st.one_of(st.integers(start, end), near(target["end"])))
        start_max, end_min = min(max(start_max, start), end), min(max(end_min, start), end)
    if not filtered:
        return Query(chrom, start, end, match, start_max, end_min)
    size = target["end"] - target["start"]
    own = target["copy_number"]
    copy_numbers = st.sampled_from([0.0, 1.0, 2.5, 3.0, 4.0, 5.0])
    terms = sorted(t for t, ids in VARIANT_TYPE_TERMS.items() if target["efo_id"] in ids)

    def mostly(value: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.just(value), st.just(value), other)

    samples = st.sampled_from([f"NA{n:05d}" for n in range(31)])
    choices: dict[str, st.SearchStrategy[Any]] = {
        "datasets": mostly([target["dataset_id"]], st.just(list(DATASETS))),
        "variant_type": mostly(terms[0], st.sampled_from(sorted(VARIANT_TYPE_TERMS))),
        "min_length": mostly(size, near(size) | st.integers(1, 20_000_000)),
        "max_length": mostly(size, near(size) | st.integers(1, 20_000_000)),
        "min_copy_number": mostly(own, copy_numbers) if own is not None else copy_numbers,
        "max_copy_number": mostly(own, copy_numbers) if own is not None else copy_numbers,
        "pass_only": st.just(True),
        "biosample_ids": mostly([target["biosample_id"]], st.lists(samples, min_size=1)),
        "sexes": mostly([target["sex"] or "unknown"], st.just(["female", "male"])),
        "populations": mostly([target["population"] or "GBR"], st.just(["FIN", "YRI"])),
        "superpopulations": mostly([target["superpopulation"] or "EUR"], st.just(["AFR"])),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(choices)), min_size=1, max_size=3, unique=True))
    filters = {name: draw(choices[name]) for name in chosen}
    for name, value in filters.items():
        if isinstance(value, list):
            filters[name] = tuple(value)
    return Query(chrom, start, end, match, start_max, end_min, **filters)


def sane(query: Query) -> bool:
    """Queries the service accepts (the rest are checked as 400s elsewhere)."""
    return not (
        (query.min_length and query.max_length and query.min_length > query.max_length)
        or (
            query.min_copy_number is not None
            and query.max_copy_number is not None
            and query.min_copy_number > query.max_copy_number
        )
    )


async def get(session: ClientSession, url: str, path: str, params: dict[str, str]) -> Any:
    async with session.get(f"{url}{path}", params=params) as response:
        body = await response.json()
    assert response.status == 200, body
    return body


@given(query=queries(filtered=False))
@EXAMPLES
async def test_every_lookup_kind_equals_brute_force(cohort: StoredCohort, query: Query) -> None:
    await check_against_brute_force(cohort, query)


@given(query=queries(filtered=True))
@EXAMPLES
async def test_every_filter_equals_brute_force(cohort: StoredCohort, query: Query) -> None:
    if sane(query):
        await check_against_brute_force(cohort, query)


async def check_against_brute_force(cohort: StoredCohort, query: Query) -> None:
    matching = brute_force(cohort.calls, query)
    counts = expected_counts(matching)
    variants = expected_variants(matching)
    carriers = sorted({(c["dataset_id"], c["biosample_id"]) for c in matching})
    params = {**query.params(), "limit": "100000"}
    async with ClientSession() as session:
        for url in (cohort.url, cohort.replica_url):
            body = await get(session, url, "/calls", params)
            assert [c["id"] for c in body["calls"]] == [c["_id"] for c in matching]
            assert (body["counts"], body["counted_by"]) == (counts, "read_model")
            body = await get(session, url, "/variants", params)
            assert [(v["id"], [c["call_id"] for c in v["carriers"]]) for v in body["variants"]] == (
                variants
            )
            assert body["counts"] == counts
            body = await get(session, url, "/counts", query.params())
            assert body["counts"] == counts
            body = await get(session, url, "/biosamples", params)
            assert [(b["dataset_id"], b["id"]) for b in body["biosamples"]] == carriers
            assert body["counts"]["individuals"] == counts["individuals"]


@given(query=queries(filtered=False), skip=st.integers(0, 60), limit=st.integers(0, 7))
@EXAMPLES
async def test_pages_are_slices_of_the_whole_result(
    cohort: StoredCohort, query: Query, skip: int, limit: int
) -> None:
    if not sane(query):
        return
    matching = brute_force(cohort.calls, query)
    variants = [v for v, _ in expected_variants(matching)]
    params = {**query.params(), "skip": str(skip), "limit": str(limit)}
    async with ClientSession() as session:
        for url in (cohort.url, cohort.replica_url):
            body = await get(session, url, "/calls", params)
            assert [c["id"] for c in body["calls"]] == [
                c["_id"] for c in matching[skip : skip + limit]
            ]
            body = await get(session, url, "/variants", params)
            assert [v["id"] for v in body["variants"]] == variants[skip : skip + limit]


@pytest.mark.parametrize("url_kind", ["replica 1", "replica 2"])
async def test_genome_wide_counts_and_carriers(cohort: StoredCohort, url_kind: str) -> None:
    url = cohort.url if url_kind == "replica 1" else cohort.replica_url
    filters = {"variant_type": "DEL", "population": "GBR,YRI"}
    matching = [
        c
        for c in cohort.calls
        if c["efo_id"] in VARIANT_TYPE_TERMS["DEL"] and c["population"] in ("GBR", "YRI")
    ]
    async with ClientSession() as session:
        body = await get(session, url, "/counts", {})
        assert body["counts"] == expected_counts(cohort.calls)
        body = await get(session, url, "/counts", filters)
        assert body["counts"] == expected_counts(matching)
        body = await get(session, url, "/individuals", {**filters, "limit": "1000"})
        individuals = sorted({(c["dataset_id"], c["individual_id"]) for c in matching})
        assert [(i["dataset_id"], i["individual_id"]) for i in body["individuals"]] == individuals
        calls_per_individual = {
            key: sum((c["dataset_id"], c["individual_id"]) == key for c in matching)
            for key in individuals
        }
        assert [i["matching_calls"] for i in body["individuals"]] == list(
            calls_per_individual.values()
        )


@pytest.mark.parametrize("url_kind", ["replica 1", "replica 2"])
async def test_genome_wide_pages_run_in_chromosome_order(
    cohort: StoredCohort, url_kind: str
) -> None:
    url = cohort.url if url_kind == "replica 1" else cohort.replica_url
    matching = sorted(
        (c for c in cohort.calls if c["is_pass"]),
        key=lambda c: (int(c["chrom"]), c["start"], c["end"], c["_id"]),
    )
    async with ClientSession() as session:
        for skip in (0, 7, len(matching) - 3, len(matching) + 1):
            params = {"pass_only": "true", "skip": str(skip), "limit": "10"}
            body = await get(session, url, "/calls", params)
            assert [c["id"] for c in body["calls"]] == [c["_id"] for c in matching][
                skip : skip + 10
            ]
            assert body["counts"]["calls"] == len(matching)


async def test_inverted_windows_are_rejected(cohort: StoredCohort) -> None:
    async with ClientSession() as session:
        for path in ("/calls", "/variants", "/counts", "/biosamples", "/individuals"):
            params = {"chrom": "1", "start": "5000", "end": "4999"}
            async with session.get(f"{cohort.replica_url}{path}", params=params) as response:
                body = await response.json()
            assert response.status == 400, (path, body)
            assert body["error"]["parameter"] == "start"
