"""CNV regions (CNVRs) and CNV events.

A CNVR is a maximal set of transitively overlapping calls of any samples (Redon et al.
2006): its span is the union of their spans. Within a CNVR, CNV *events* split juxtaposed
or nested variants: calls are grouped greedily by reciprocal overlap. The distinct call
intervals are taken most frequent first (then longest, then leftmost); each joins the
event whose founding interval it overlaps reciprocally by at least the threshold (the best
such, if several), or founds a new event. Grouping against the founding interval, not any
member, keeps chains of small shifts from joining unrelated variants.

Classes, judged per locus (event), since at 1000 Genomes scale a CNVR often chains several
loci (states are copy-number changes relative to the sample's baseline, rounded; on X and Y
for a sample of unknown sex a loss or gain counts as one copy):
  multi-allelic         an event with three or more changed states (e.g. 1, 3 and 4 copies)
  deletion+duplication  else an event with both losses and gains
  deletion              else only losses;  duplication: only gains
  complex               losses and gains, but only in different, juxtaposed events
  undetermined          only calls whose direction is unknown
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.arrays import distinct
from cnvbeacon.query.analyses.cohort import GAIN, LOSS, Calls
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.intervals import cluster_ids

Int64s = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

CLASSES: Final = (
    "deletion",
    "duplication",
    "deletion+duplication",
    "multi-allelic",
    "complex",
    "undetermined",
)
DELETION, DUPLICATION, DELETION_DUPLICATION, MULTI_ALLELIC, COMPLEX, UNDETERMINED = range(6)
DEFAULT_RECIPROCAL_OVERLAP: Final = 0.5
# Copy numbers and changes are packed with their group into one integer key.
_STATE_CODES: Final = 1 << 16
_STATE_OFFSET: Final = 1 << 8


@dataclass(frozen=True, slots=True)
class Regions:
    call_region: Int64s  # per call: row in regions
    call_event: Int64s  # per call: row in events
    regions: Table
    events: Table


def find_regions(calls: Calls, samples: int, min_overlap: float) -> Regions:
    call_region = cluster_ids(calls.chrom, calls.start, calls.end)
    call_event, event_founders = assign_events(call_region, calls.start, calls.end, min_overlap)
    n_regions = int(call_region[-1]) + 1 if len(call_region) else 0
    n_events = len(event_founders)
    regions = _summarise(calls, call_region, n_regions, samples)
    events = _summarise(calls, call_event, n_events, samples)
    founders = event_founders
    event_region = call_region[founders] if n_events else np.empty(0, dtype=np.int64)
    events["span_start"] = events.pop("start")
    events["span_end"] = events.pop("end")
    events["start"] = calls.start[founders]
    events["end"] = calls.end[founders]
    events["region"] = event_region
    regions["events"] = np.bincount(event_region, minlength=n_regions).astype(np.int32)
    # Losses and gains in one event: a deletion/duplication locus, not juxtaposed events.
    mixed_event = (events["loss_calls"] > 0) & (events["gain_calls"] > 0)
    mixed_locus = np.bincount(event_region[mixed_event], minlength=n_regions) > 0
    many_states = events["changed_states"] >= 3
    multi_allelic_locus = np.bincount(event_region[many_states], minlength=n_regions) > 0
    regions["class"] = _classes(regions, mixed_locus, multi_allelic_locus)
    regions["singleton"] = regions["samples"] == 1
    return Regions(call_region, call_event, regions, events)


def _summarise(calls: Calls, group: Int64s, n: int, samples: int) -> Table:
    """Span, call and carrier counts and copy-number states of each group of calls."""
    table: Table = {}
    if n == 0:
        empty = np.empty(0, dtype=np.int64)
        for name in ("start", "end", "calls", "samples", "loss_calls", "gain_calls"):
            table[name] = empty
        table["chrom"] = np.empty(0, dtype=np.int16)
        for name in ("loss_samples", "gain_samples", "changed_states"):
            table[name] = empty
        table["copy_numbers"] = np.empty(0, dtype=object)
        return table
    order = np.lexsort((calls.start, group))
    firsts = order[np.flatnonzero(np.diff(group[order], prepend=-1))]
    sorted_group = group[order]
    boundaries = np.flatnonzero(np.diff(sorted_group, prepend=-1))
    table["chrom"] = calls.chrom[firsts]
    table["start"] = np.minimum.reduceat(calls.start[order], boundaries)
    table["end"] = np.maximum.reduceat(calls.end[order], boundaries)
    table["calls"] = np.bincount(group, minlength=n).astype(np.int64)
    table["samples"] = _distinct_samples(group, calls.sample, np.ones(len(group), bool), n, samples)
    for name, direction in (("loss", LOSS), ("gain", GAIN)):
        is_direction = calls.direction == direction
        table[f"{name}_calls"] = np.bincount(group[is_direction], minlength=n).astype(np.int64)
        table[f"{name}_samples"] = _distinct_samples(group, calls.sample, is_direction, n, samples)
    table["changed_states"] = _changed_states(calls, group, n)
    table["copy_numbers"] = _copy_numbers(calls, group, n)
    return table


def _distinct_samples(
    group: Int64s, sample: npt.NDArray[np.int32], mask: Bools, n: int, samples: int
) -> Int64s:
    keys = distinct(group[mask] * max(samples, 1) + sample[mask])
    return np.bincount(keys // max(samples, 1), minlength=n).astype(np.int64)


def _changed_states(calls: Calls, group: Int64s, n: int) -> Int64s:
    state = np.where(np.isnan(calls.delta), calls.direction, np.rint(calls.delta))
    changed = (state != 0) & ~np.isnan(state)
    keys = distinct(group[changed] * _STATE_CODES + _state_code(state[changed]))
    return np.bincount(keys // _STATE_CODES, minlength=n).astype(np.int64)


def _copy_numbers(calls: Calls, group: Int64s, n: int) -> npt.NDArray[np.object_]:
    """Distinct copy numbers seen in each group, as text: "0,1" or "3,4,5"."""
    known = ~np.isnan(calls.copy_number)
    copies = np.rint(calls.copy_number[known])
    keys = distinct(group[known] * _STATE_CODES + _state_code(copies))
    texts = np.full(n, "", dtype=object)
    owners = keys // _STATE_CODES
    values = (keys % _STATE_CODES - _STATE_OFFSET).tolist()
    bounds = [*np.flatnonzero(np.diff(owners, prepend=-1)).tolist(), len(keys)]
    for first, last in pairwise(bounds):
        texts[owners[first]] = ",".join(str(v) for v in values[first:last])
    return texts


def _state_code(values: npt.NDArray[np.float64]) -> Int64s:
    clipped = np.clip(values, -_STATE_OFFSET, _STATE_CODES - _STATE_OFFSET - 1)
    return clipped.astype(np.int64) + _STATE_OFFSET


def _classes(
    regions: Table, mixed_locus: Bools, multi_allelic_locus: Bools
) -> npt.NDArray[np.int8]:
    losses = regions["loss_calls"] > 0
    gains = regions["gain_calls"] > 0
    classes = np.full(len(losses), UNDETERMINED, dtype=np.int8)
    classes[losses & ~gains] = DELETION
    classes[gains & ~losses] = DUPLICATION
    both = losses & gains
    classes[both & mixed_locus] = DELETION_DUPLICATION
    classes[both & ~mixed_locus] = COMPLEX
    classes[multi_allelic_locus] = MULTI_ALLELIC
    return classes


# --------------------------------------------------------------------------- events


def assign_events(
    call_region: Int64s, call_start: Int64s, call_end: Int64s, min_overlap: float
) -> tuple[Int64s, Int64s]:
    """Event number of each call, and for each event the row of a call with its founding
    interval, for calls sorted by (region, start, end). Events are numbered by region, then
    founding order."""
    n = len(call_region)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    # Distinct intervals (calls are sorted by chromosome, start, end within a region).
    new_interval = np.ones(n, dtype=bool)
    new_interval[1:] = (
        (call_region[1:] != call_region[:-1])
        | (call_start[1:] != call_start[:-1])
        | (call_end[1:] != call_end[:-1])
    )
    interval_of_call = np.cumsum(new_interval) - 1
    first_call = np.flatnonzero(new_interval)
    region = call_region[first_call]
    start = call_start[first_call]
    end = call_end[first_call]
    support = np.bincount(interval_of_call)
    order = np.lexsort((start, -(end - start), -support, region))
    event_of_interval = np.empty(len(first_call), dtype=np.int64)
    founders: list[int] = []
    # Founding intervals (seeds) of the current region, sorted by start: an interval can
    # only reach min_overlap with seeds starting near its own start, so it is compared with
    # those, not with every seed of the region (regions of a 2M-call cohort hold thousands
    # of events). With L its length and t = min_overlap > 0: a seed starting at S >= start
    # shares at most end - S bases, so S <= start + (1 - t) L; one starting before shares
    # at most its own length minus (start - S) and is at most L / t long, so
    # S >= start - (1 - t) L / t. One base of slack on each side absorbs rounding.
    seed_starts: list[int] = []
    seeds: list[tuple[int, int, int]] = []  # (start, end, event), in seed_starts' order
    current = -1
    # The window as start - below * L and start + above * L; the loop runs once per
    # distinct interval, so the window and intervals.reciprocal_overlap are inlined.
    unbounded = min_overlap <= 0
    below = (1 - min_overlap) / min_overlap if not unbounded else 0.0
    above = 1 - min_overlap
    for row, this_region, s, e in zip(
        order.tolist(),
        region[order].tolist(),
        start[order].tolist(),
        end[order].tolist(),
        strict=True,
    ):
        if this_region != current:
            current = this_region
            seed_starts, seeds = [], []
        best_event, best_overlap = -1, min_overlap
        if seeds:
            length = e - s
            if unbounded:
                first, last = 0, len(seeds)
            else:
                first = bisect_left(seed_starts, s - below * length - 1)
                last = bisect_right(seed_starts, s + above * length + 1)
            for index in range(first, last):
                seed_start, seed_end, event = seeds[index]
                shared = (e if e < seed_end else seed_end) - (s if s > seed_start else seed_start)
                seed_length = seed_end - seed_start
                overlap = (shared if shared > 0 else 0) / (
                    length if length > seed_length else seed_length
                )
                # The best overlap wins; of equals, the earliest event (the first founded).
                if overlap >= best_overlap and (
                    best_event < 0 or overlap > best_overlap or event < best_event
                ):
                    best_event, best_overlap = event, overlap
        if best_event < 0:
            best_event = len(founders)
            founders.append(int(first_call[row]))
            position = bisect_right(seed_starts, s)
            seed_starts.insert(position, s)
            seeds.insert(position, (s, e, best_event))
        event_of_interval[row] = best_event
    return event_of_interval[interval_of_call], np.array(founders, dtype=np.int64)
