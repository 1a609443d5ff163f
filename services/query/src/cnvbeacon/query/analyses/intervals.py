"""Vectorised interval operations on 0-based half-open intervals grouped by a key
(a chromosome, or a sample and chromosome). Intervals overlap when they share a base:
[0, 10) and [10, 20) are adjacent, not overlapping (bioframe's min_dist=None).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

Int64s = npt.NDArray[np.int64]
Ints = npt.NDArray[np.integer]
Rows = npt.NDArray[np.intp]

# Keys are group * _SPAN + coordinate, so that one sorted array holds every group apart.
_SPAN: Final = 1 << 34


def keyed(group: Ints, coordinate: Ints) -> Int64s:
    return group.astype(np.int64) * _SPAN + coordinate.astype(np.int64)


def cluster_ids(group: Ints, start: Ints, end: Ints) -> Int64s:
    """Cluster number of each interval, for intervals sorted by (group, start): a cluster
    is a maximal run of transitively overlapping intervals of one group."""
    if len(start) == 0:
        return np.empty(0, dtype=np.int64)
    key_start = keyed(group, start)
    reach = np.maximum.accumulate(keyed(group, end))
    begins = np.empty(len(start), dtype=bool)
    begins[0] = True
    begins[1:] = key_start[1:] >= reach[:-1]
    return np.cumsum(begins, dtype=np.int64) - 1


def covered_bases(group: Ints, start: Ints, end: Ints, groups: int) -> Int64s:
    """Bases covered by the union of each group's intervals (sorted by (group, start)),
    for groups 0 .. groups-1."""
    clusters = cluster_ids(group, start, end)
    if len(clusters) == 0:
        return np.zeros(groups, dtype=np.int64)
    firsts = np.flatnonzero(np.diff(clusters, prepend=-1))
    span = np.maximum.reduceat(end, firsts) - start[firsts]
    return np.bincount(group[firsts], weights=span, minlength=groups).astype(np.int64)


def overlap_pairs(
    a_group: Ints, a_start: Ints, a_end: Ints, b_group: Ints, b_start: Ints, b_end: Ints
) -> tuple[Rows, Rows]:
    """Every pair (i, j) where interval a[i] overlaps b[j] within one group, sorted by i.

    b is split into classes of lengths [2^k, 2^(k+1)); a b of class k overlapping a[i]
    starts in (a.start - 2^(k+1), a.end), one searchsorted range per class.
    """
    a_lo, a_hi = keyed(a_group, a_start), keyed(a_group, a_end)
    lengths = (b_end - b_start).astype(np.int64)
    classes = np.floor(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    found_a: list[Rows] = []
    found_b: list[Rows] = []
    for length_class in np.unique(classes).tolist():
        members = np.flatnonzero(classes == length_class)
        b_keys = keyed(b_group[members], b_start[members])
        order = np.argsort(b_keys, kind="stable")
        members, b_keys = members[order], b_keys[order]
        longest = 1 << (length_class + 1)
        first = np.searchsorted(b_keys, a_lo - longest, side="right")
        last = np.searchsorted(b_keys, a_hi, side="left")
        counts = np.maximum(last - first, 0)
        total = int(counts.sum())
        if total == 0:
            continue
        a_rows = np.repeat(np.arange(len(a_lo)), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        b_rows = members[np.repeat(first, counts) + offsets]
        hit = keyed(b_group[b_rows], b_end[b_rows]) > a_lo[a_rows]
        found_a.append(a_rows[hit])
        found_b.append(b_rows[hit])
    if not found_a:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    rows_a = np.concatenate(found_a)
    rows_b = np.concatenate(found_b)
    order = np.lexsort((rows_b, rows_a))
    return rows_a[order].astype(np.intp), rows_b[order].astype(np.intp)


def reciprocal_overlap(start_a: int, end_a: int, start_b: int, end_b: int) -> float:
    """Shared bases over the longer interval's length: >= t means each interval overlaps
    the other by at least a fraction t of its own length."""
    shared = min(end_a, end_b) - max(start_a, start_b)
    return max(shared, 0) / max(end_a - start_a, end_b - start_b)
