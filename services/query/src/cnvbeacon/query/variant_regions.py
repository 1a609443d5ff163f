"""Variant regions: a search's calls clustered into loci, each with its population
frequencies (the variant-level view of a search).

DRAGEN's breakpoints differ from sample to sample, so distinct variants (identical
breakpoints) are nearly one per call. A variant region is a CNV event as the analyses
define it (analyses/regions.py): within a CNVR (a maximal run of transitively overlapping
calls of one dataset and chromosome), the calls overlapping the event's founding interval
reciprocally by at least `min_overlap`. Its frequencies follow shared.frequencies, for
losses and gains apart, over its dataset's individuals with data; the founding interval is
the locus whose ploidy counts.

Classes (CLASSES of the analyses), from the region's calls: multi-allelic with three or
more distinct changed copy numbers, deletion+duplication with losses and gains, deletion
or duplication with one of them, undetermined otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cnvbeacon.query.analyses.arrays import distinct
from cnvbeacon.query.analyses.intervals import cluster_ids
from cnvbeacon.query.analyses.regions import (
    CLASSES,
    DEFAULT_RECIPROCAL_OVERLAP,
    DELETION,
    DELETION_DUPLICATION,
    DUPLICATION,
    MULTI_ALLELIC,
    UNDETERMINED,
    assign_events,
)
from cnvbeacon.shared.frequencies import (
    Frequency,
    GroupLevel,
    GroupSize,
    group_keys,
    ploidy,
    variant_frequencies,
)
from cnvbeacon.shared.vocabulary import Direction

Int64s = npt.NDArray[np.int64]
DEFAULT_MIN_OVERLAP: Final = DEFAULT_RECIPROCAL_OVERLAP
DIRECTIONS: Final = (Direction.LOSS, Direction.GAIN)
_FREQUENCY_NAMES: Final = {Direction.LOSS: "loss", Direction.GAIN: "gain"}


class RegionOrder(StrEnum):
    POSITION = "position"  # by dataset, chromosome, start, end
    CARRIERS = "carriers"  # most carriers first, then by position
    LENGTH = "length"  # longest founding interval first, then by position


@dataclass(frozen=True, slots=True)
class Clusters:
    """A search's calls (reads.region_calls' table and order) grouped into regions."""

    calls: pa.Table
    members: Int64s  # call rows, region by region (in call order within each)
    bounds: Int64s  # region r's calls are members[bounds[r]:bounds[r + 1]]
    dataset_id: list[str]  # per region
    chrom: list[str]
    start: Int64s  # founding interval
    end: Int64s
    span_start: Int64s  # union of its calls
    span_end: Int64s
    calls_count: Int64s
    carriers: Int64s  # individuals with a call in the region
    min_length: Int64s
    max_length: Int64s
    region_class: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.start)

    def ordered(self, order: RegionOrder) -> npt.NDArray[np.intp]:
        """Region rows in this order."""
        by_position = np.lexsort((self.end, self.start, self._group_rank()))
        if order is RegionOrder.POSITION:
            return by_position.astype(np.intp)
        position = np.empty(len(self), dtype=np.int64)
        position[by_position] = np.arange(len(self))
        first = self.carriers if order is RegionOrder.CARRIERS else self.end - self.start
        return np.lexsort((position, -first)).astype(np.intp)

    def _group_rank(self) -> Int64s:
        """Rank of each region's (dataset, chromosome) in call order (call rows ascend)."""
        if len(self) == 0:
            return np.empty(0, dtype=np.int64)
        first_call = self.members[self.bounds[:-1]]
        datasets = self.calls.column("dataset_id").to_numpy(zero_copy_only=False)
        chroms = self.calls.column("chrom").to_numpy(zero_copy_only=False)
        changes = np.ones(self.calls.num_rows, dtype=bool)
        changes[1:] = (datasets[1:] != datasets[:-1]) | (chroms[1:] != chroms[:-1])
        return (np.cumsum(changes) - 1)[first_call].astype(np.int64)


def cluster(calls: pa.Table, min_overlap: float) -> Clusters:
    """Variant regions of calls sorted by (dataset, chromosome, start, end)."""
    n = calls.num_rows
    start = calls.column("start").to_numpy().astype(np.int64)
    end = calls.column("end").to_numpy().astype(np.int64)
    datasets = calls.column("dataset_id").to_numpy(zero_copy_only=False)
    chroms = calls.column("chrom").to_numpy(zero_copy_only=False)
    changes = np.ones(n, dtype=bool)
    if n:
        changes[1:] = (datasets[1:] != datasets[:-1]) | (chroms[1:] != chroms[:-1])
    group = np.cumsum(changes) - 1
    call_cnvr = cluster_ids(group, start, end)
    call_region, founders = assign_events(call_cnvr, start, end, min_overlap)
    regions = len(founders)
    members = np.argsort(call_region, kind="stable").astype(np.int64)
    bounds = np.searchsorted(call_region[members], np.arange(regions + 1)).astype(np.int64)
    firsts = bounds[:-1]
    lengths = (end - start)[members]
    # A region holds calls of one dataset, where an individual id names one individual.
    individuals = _codes(calls.column("individual_id").to_numpy(zero_copy_only=False))
    variant_types = calls.column("variant_type").to_numpy(zero_copy_only=False)
    copy_numbers = pc.fill_null(calls.column("copy_number").cast(pa.float64()), np.nan).to_numpy()
    if regions == 0:
        empty = np.empty(0, dtype=np.int64)
        return Clusters(
            calls, members, bounds, [], [], empty, empty, empty, empty, empty, empty, empty,
            empty, np.empty(0, dtype=np.int8),
        )  # fmt: skip
    return Clusters(
        calls=calls,
        members=members,
        bounds=bounds,
        dataset_id=[str(d) for d in datasets[founders]],
        chrom=[str(c) for c in chroms[founders]],
        start=start[founders],
        end=end[founders],
        span_start=np.minimum.reduceat(start[members], firsts),
        span_end=np.maximum.reduceat(end[members], firsts),
        calls_count=np.diff(bounds),
        carriers=_distinct_count(call_region, individuals, regions),
        min_length=np.minimum.reduceat(lengths, firsts),
        max_length=np.maximum.reduceat(lengths, firsts),
        region_class=_classes(call_region, variant_types, copy_numbers, regions),
    )


def _codes(values: npt.NDArray[Any]) -> Int64s:
    """One integer per distinct value."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    return np.unique(values.astype(str), return_inverse=True)[1].astype(np.int64)


def _distinct_count(group: Int64s, values: Int64s, groups: int) -> Int64s:
    width = int(values.max()) + 1 if len(values) else 1
    keys = distinct(group * width + values)
    return np.bincount(keys // width, minlength=groups).astype(np.int64)


def _classes(
    call_region: Int64s,
    variant_types: npt.NDArray[Any],
    copies: npt.NDArray[np.float64],
    regions: int,
) -> npt.NDArray[np.int8]:
    is_loss = variant_types == Direction.LOSS.value
    is_gain = variant_types == Direction.GAIN.value
    losses = np.bincount(call_region[is_loss], minlength=regions) > 0
    gains = np.bincount(call_region[is_gain], minlength=regions) > 0
    changed = (is_loss | is_gain) & ~np.isnan(copies)
    states = np.rint(copies[changed]).astype(np.int64) + 1  # >= 0: a copy number is >= 0
    many = _distinct_count(call_region[changed], states, regions) >= 3
    classes = np.full(regions, UNDETERMINED, dtype=np.int8)
    classes[losses & ~gains] = DELETION
    classes[gains & ~losses] = DUPLICATION
    classes[losses & gains] = DELETION_DUPLICATION
    classes[many] = MULTI_ALLELIC
    return classes


# --------------------------------------------------------------------------- views


def region_id(dataset_id: str, chrom: str, start: int, end: int) -> str:
    return f"{dataset_id}:{chrom}:{start}-{end}"


def region_views(
    clusters: Clusters,
    rows: Sequence[int],
    sizes_of: Mapping[str, Sequence[GroupSize]],
    assembly: str,
) -> list[dict[str, Any]]:
    """The regions at these rows, each with its frequencies in every group of its dataset
    with data (`sizes_of`: a dataset's group sizes)."""
    return [
        _view(clusters, row, sizes_of.get(clusters.dataset_id[row], ()), assembly) for row in rows
    ]


def _view(
    clusters: Clusters, row: int, sizes: Sequence[GroupSize], assembly: str
) -> dict[str, Any]:
    members = clusters.members[clusters.bounds[row] : clusters.bounds[row + 1]]
    calls: list[dict[str, Any]] = clusters.calls.take(pa.array(members)).to_pylist()
    chrom, start, end = clusters.chrom[row], int(clusters.start[row]), int(clusters.end[row])
    dataset_id = clusters.dataset_id[row]
    frequencies = {
        direction: variant_frequencies(
            [c for c in calls if c["variant_type"] == direction.value],
            sizes,
            chrom=chrom,
            start=start,
            end=end,
            variant_type=direction.value,
            assembly=assembly,
        )
        for direction in DIRECTIONS
    }
    copies_of = _copy_numbers(calls, chrom, start, end, assembly)
    groups = []
    for index, size in enumerate(s for s in sizes if s.individuals > 0):
        copies = copies_of.get((size.level, size.code), {})
        groups.append(
            {
                "level": size.level.value,
                "code": size.code,
                "superpopulation": size.superpopulation,
                "individuals": size.individuals,
                "carriers": sum(copies.values()),
                "copy_numbers": dict(sorted(copies.items(), key=lambda item: _cn_order(item[0]))),
                **{_FREQUENCY_NAMES[d]: _frequency_view(frequencies[d][index]) for d in DIRECTIONS},
            }
        )
    return {
        "id": region_id(dataset_id, chrom, start, end),
        "dataset_id": dataset_id,
        "assembly": assembly,
        "chrom": chrom,
        "start": start,
        "end": end,
        "span_start": int(clusters.span_start[row]),
        "span_end": int(clusters.span_end[row]),
        "class": CLASSES[int(clusters.region_class[row])],
        "calls": int(clusters.calls_count[row]),
        "carriers": int(clusters.carriers[row]),
        "min_length": int(clusters.min_length[row]),
        "max_length": int(clusters.max_length[row]),
        "groups": groups,
    }


def _frequency_view(frequency: Frequency) -> dict[str, Any]:
    return {
        "carriers": frequency.carriers,
        "carrier_frequency": frequency.carrier_frequency,
        "allele_count": frequency.allele_count,
        "allele_number": frequency.allele_number,
        "allele_frequency": frequency.allele_frequency,
    }


UNKNOWN_COPY_NUMBER: Final = "."


def _cn_order(text: str) -> float:
    return float("inf") if text == UNKNOWN_COPY_NUMBER else float(text)


def _copy_numbers(
    calls: Sequence[Mapping[str, Any]], chrom: str, start: int, end: int, assembly: str
) -> dict[tuple[GroupLevel, str], dict[str, int]]:
    """Carriers by copy number in each group: a carrier's copy number in the region is the
    one of its calls farthest from its ploidy ('.': none of its calls gives one)."""
    of_individual: dict[str, tuple[float, str, Mapping[str, Any]]] = {}
    for call in calls:
        individual = str(call["individual_id"])
        copies = ploidy(chrom, start, end, call.get("sex"), assembly) or 2
        copy_number = call.get("copy_number")
        distance = -1.0 if copy_number is None else abs(float(copy_number) - copies)
        text = UNKNOWN_COPY_NUMBER if copy_number is None else f"{float(copy_number):g}"
        if individual not in of_individual or distance > of_individual[individual][0]:
            of_individual[individual] = (distance, text, call)
    found: dict[tuple[GroupLevel, str], dict[str, int]] = {}
    for _, text, call in of_individual.values():
        for group in group_keys(call):
            counts = found.setdefault(group, {})
            counts[text] = counts.get(text, 0) + 1
    return found
