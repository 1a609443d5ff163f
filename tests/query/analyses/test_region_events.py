"""Event assignment in CNV regions: the seed window finds exactly what comparing every seed
of the region finds (the reference below), on random jittered intervals."""

from __future__ import annotations

import numpy as np
import pytest

from cnvbeacon.query.analyses.cohort import Calls
from cnvbeacon.query.analyses.intervals import reciprocal_overlap
from cnvbeacon.query.analyses.regions import assign_events


def reference_events(calls: Calls, call_region: np.ndarray, min_overlap: float) -> list[int]:
    """Each distinct interval joins the best-overlapping earlier seed of its region (ties:
    the first founded), else founds an event; intervals by region, support, length, start."""
    keys = list(zip(call_region.tolist(), calls.start.tolist(), calls.end.tolist(), strict=True))
    support: dict[tuple[int, int, int], int] = {}
    for key in keys:
        support[key] = support.get(key, 0) + 1
    order = sorted(support, key=lambda k: (k[0], -support[k], -(k[2] - k[1]), k[1]))
    event_of: dict[tuple[int, int, int], int] = {}
    seeds: dict[int, list[tuple[int, int, int]]] = {}
    founded = 0
    for region, start, end in order:
        best_event, best_overlap = -1, min_overlap
        for seed_start, seed_end, event in seeds.get(region, []):
            overlap = reciprocal_overlap(start, end, seed_start, seed_end)
            if overlap >= best_overlap and (best_event < 0 or overlap > best_overlap):
                best_event, best_overlap = event, overlap
        if best_event < 0:
            best_event = founded
            founded += 1
            seeds.setdefault(region, []).append((start, end, best_event))
        event_of[(region, start, end)] = best_event
    return [event_of[key] for key in keys]


def random_calls(seed: int) -> tuple[Calls, np.ndarray]:
    rng = np.random.default_rng(seed)
    loci = rng.integers(0, 2_000_000, size=40)
    lengths = (10 ** rng.uniform(2.5, 5.5, size=40)).astype(np.int64)
    rows = []
    for _ in range(1500):
        locus = int(rng.integers(0, 40))
        jitter = rng.normal(0, 0.05 * lengths[locus], size=2).astype(np.int64)
        start = int(loci[locus] + jitter[0])
        rows.append((start, start + max(1, int(lengths[locus] + jitter[1]))))
    rows.sort()
    start = np.array([r[0] for r in rows], dtype=np.int64)
    end = np.array([r[1] for r in rows], dtype=np.int64)
    n = len(rows)
    calls = Calls(
        np.zeros(n, dtype=np.int16),
        start,
        end,
        np.arange(n, dtype=np.int32),
        np.zeros(n, dtype=np.int8),
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.ones(n, dtype=bool),
    )
    # Regions: runs of calls overlapping the running maximum end (as find_regions merges).
    region = np.zeros(n, dtype=np.int64)
    reach = end[0]
    for row in range(1, n):
        region[row] = region[row - 1] + (start[row] >= reach)
        reach = max(reach, end[row]) if start[row] < reach else end[row]
    return calls, region


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_overlap", [0.3, 0.5, 0.8, 0.0])
def test_events_match_comparing_every_seed(seed: int, min_overlap: float) -> None:
    calls, region = random_calls(seed)
    events, founders = assign_events(region, calls.start, calls.end, min_overlap)
    assert events.tolist() == reference_events(calls, region, min_overlap)
    # Every founder is a call of its own event.
    assert (events[founders] == np.arange(len(founders))).all()
