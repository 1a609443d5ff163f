"""Calls rendered from summaries are exactly the store's: same documents, value types,
order and batch boundaries' contents, for any lookup, filter and page bounds."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from cnvbeacon.query.calls import CallLookup, scan_calls
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.summary import DatasetSummary
from cnvbeacon.query.summary_build import build_summary
from cnvbeacon.query.summary_calls import summary_calls
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.store.client import Database
from tests.query.cohort import CHROMS, DATASETS, LENGTHS, random_calls, store_cohort

pytestmark = pytest.mark.integration


def _random_lookup(rng: random.Random) -> CallLookup:
    chrom = rng.choice(CHROMS)
    datasets = rng.choice([DATASETS, DATASETS[:1], DATASETS[1:]])
    start = rng.choice([0, rng.randrange(0, 40_000_000), LENGTHS[chrom] - 1000])
    end = min(start + rng.choice([0, 1000, 100_000, 5_000_000, 60_000_000]), LENGTHS[chrom])
    match = rng.choice([Match.OVERLAP, Match.CONTAINED, Match.SPANNING])
    filters = rng.choice(
        [
            CallFilters(),
            CallFilters(pass_only=True),
            CallFilters(min_copy_number=1.0, max_copy_number=4.0),
            CallFilters(populations=frozenset({"GBR", "YRI"})),
            CallFilters(min_length=1000, max_length=2_000_000),
        ]
    )
    return CallLookup(datasets, chrom, Window(match, start, end), filters)


async def _collect(batches: Any) -> list[list[dict[str, Any]]]:
    return [batch async for batch in batches]


def _typed(document: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    return {key: (type(value), value) for key, value in document.items()}


async def test_summary_calls_equal_the_store_scan(database: Database) -> None:
    calls = random_calls(seed=7, count=900)
    for index, call in enumerate(calls):  # texts with and without values, some non-ASCII
        call["vcf_id"] = None if index % 3 else f"DRAGEN:LOSS:chr{call['chrom']}:{index}ü"
        call["filters"] = [["cnvQual", "cnvLength"], [], ["PASS"]][index % 3]
    await store_cohort(database, calls)
    summaries: dict[str, DatasetSummary] = {}
    for dataset in DATASETS:
        summary = await build_summary(database, dataset)
        assert summary is not None
        summaries[dataset] = summary
    rng = random.Random(11)
    compared = ties = 0
    for _ in range(60):
        lookups = [_random_lookup(rng) for _ in range(rng.choice([1, 2]))]
        starts = [0, rng.randrange(0, 40_000_000)]
        from_start = (rng.randrange(len(lookups)), rng.choice(starts))
        until = rng.choice([None, (len(lookups) - 1, rng.randrange(1, 60_000_000))])
        batch_size = rng.choice([1, 7, 5000])
        stored = await _collect(
            scan_calls(database, lookups, from_start=from_start, until=until, batch_size=batch_size)
        )
        rendered = await _collect(
            summary_calls(
                summaries, lookups, from_start=from_start, until=until, batch_size=batch_size
            )
        )
        flat_stored = [_typed(d) for batch in stored for d in batch]
        flat_rendered = [_typed(d) for batch in rendered for d in batch]
        assert flat_rendered == flat_stored
        assert all(len(batch) <= batch_size for batch in rendered)
        compared += len(flat_stored)
        documents = [d for batch in stored for d in batch]
        ties += sum(
            (a["start"], a["end"]) == (b["start"], b["end"]) and a["dataset_id"] != b["dataset_id"]
            for a, b in itertools.pairwise(documents)
        )
    assert compared > 500
    assert ties > 0  # calls of both datasets at the same breakpoints, ordered alike
