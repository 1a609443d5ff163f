"""Interval primitives against brute force and bioframe (an independent implementation)."""

from __future__ import annotations

import bioframe
import numpy as np
import pandas as pd
import pytest

from cnvbeacon.query.analyses.arrays import distinct
from cnvbeacon.query.analyses.intervals import (
    cluster_ids,
    covered_bases,
    overlap_pairs,
    reciprocal_overlap,
)


def random_intervals(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    chrom = rng.integers(0, 3, n).astype(np.int16)
    start = rng.integers(0, 100_000, n).astype(np.int64)
    end = start + np.maximum(1, (10 ** rng.uniform(0, 4.5, n)).astype(np.int64))
    order = np.lexsort((end, start, chrom))
    return chrom[order], start[order], end[order]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clusters_are_bioframes_merge_of_overlapping_intervals(seed: int) -> None:
    chrom, start, end = random_intervals(seed, 500)
    clusters = cluster_ids(chrom, start, end)
    firsts = np.flatnonzero(np.diff(clusters, prepend=-1))
    ours = pd.DataFrame(
        {
            "chrom": chrom[firsts].astype(str),
            "start": start[firsts],
            "end": np.maximum.reduceat(end, firsts),
            "n_intervals": np.bincount(clusters),
        }
    )
    frame = pd.DataFrame({"chrom": chrom.astype(str), "start": start, "end": end})
    theirs = bioframe.merge(frame, min_dist=None)
    key = ["chrom", "start"]
    ours = ours.sort_values(key).reset_index(drop=True)
    theirs = theirs.sort_values(key).reset_index(drop=True)
    assert ours[["chrom", "start", "end"]].equals(theirs[["chrom", "start", "end"]])
    assert (ours["n_intervals"].to_numpy() == theirs["n_intervals"].to_numpy()).all()


def test_adjacent_intervals_are_separate_clusters() -> None:
    chrom = np.zeros(3, dtype=np.int16)
    clusters = cluster_ids(chrom, np.array([0, 10, 14]), np.array([10, 15, 20]))
    assert clusters.tolist() == [0, 1, 1]


@pytest.mark.parametrize("seed", [4, 5])
def test_overlap_pairs_are_every_overlapping_pair(seed: int) -> None:
    a = random_intervals(seed, 300)
    b = random_intervals(seed + 100, 200)
    rows_a, rows_b = overlap_pairs(*a, *b)
    expected = sorted(
        (i, j)
        for i in range(len(a[0]))
        for j in range(len(b[0]))
        if a[0][i] == b[0][j] and a[1][i] < b[2][j] and b[1][j] < a[2][i]
    )
    assert list(zip(rows_a.tolist(), rows_b.tolist(), strict=True)) == expected
    frame_a = pd.DataFrame({"chrom": a[0].astype(str), "start": a[1], "end": a[2]})
    frame_b = pd.DataFrame({"chrom": b[0].astype(str), "start": b[1], "end": b[2]})
    theirs = bioframe.overlap(frame_a, frame_b, how="inner", return_index=True)
    assert len(theirs) == len(expected)


def test_covered_bases_count_overlaps_once() -> None:
    group = np.array([0, 0, 0, 1])
    start = np.array([0, 50, 1000, 7])
    end = np.array([100, 150, 1100, 8])
    assert covered_bases(group, start, end, 3).tolist() == [250, 1, 0]


def test_reciprocal_overlap_is_shared_over_the_longer() -> None:
    assert reciprocal_overlap(0, 1000, 0, 1100) == pytest.approx(1000 / 1100)
    assert reciprocal_overlap(0, 1000, 500, 3000) == pytest.approx(500 / 2500)
    assert reciprocal_overlap(0, 10, 10, 20) == 0


def test_distinct_matches_numpy_unique() -> None:
    values = np.random.default_rng(9).integers(-50, 50, 1000)
    assert distinct(values).tolist() == np.unique(values).tolist()
    assert distinct(np.empty(0, dtype=np.int64)).tolist() == []
