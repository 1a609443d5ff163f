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

import math
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
    allele_count,
    group_frequencies,
    ploidy,
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
class CallCodes:
    """What a region's frequencies need of each call, as arrays (codes index the lists)."""

    individual: Int64s  # individual ids' codes (an id names one individual per dataset)
    sex: Int64s  # index into SEXES
    direction: Int64s  # index into DIRECTIONS; len(DIRECTIONS): neither
    alleles: Int64s  # (calls, 3): the call's allele count if its carrier has 0, 1, 2 copies
    copy_number: npt.NDArray[np.float64]  # NaN: not given
    superpopulation: Int64s  # index into superpopulations ('': none)
    population: Int64s
    superpopulations: list[str]
    populations: list[str]
    chrom_group: Int64s  # rank of the call's (dataset, chromosome) in call order

    def __len__(self) -> int:
        return len(self.individual)


@dataclass(frozen=True, slots=True)
class Clusters:
    """A search's calls (reads.region_calls' order) grouped into regions."""

    calls: CallCodes
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
        """Rank of each region's (dataset, chromosome) in call order."""
        return self.calls.chrom_group[self.members[self.bounds[:-1]]]


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
    codes = _call_codes(calls, group)
    variant_types = calls.column("variant_type").to_numpy(zero_copy_only=False)
    if regions == 0:
        empty = np.empty(0, dtype=np.int64)
        return Clusters(
            codes, members, bounds, [], [], empty, empty, empty, empty, empty, empty, empty,
            empty, np.empty(0, dtype=np.int8),
        )  # fmt: skip
    return Clusters(
        calls=codes,
        members=members,
        bounds=bounds,
        dataset_id=[str(d) for d in datasets[founders]],
        chrom=[str(c) for c in chroms[founders]],
        start=start[founders],
        end=end[founders],
        span_start=np.minimum.reduceat(start[members], firsts),
        span_end=np.maximum.reduceat(end[members], firsts),
        calls_count=np.diff(bounds),
        carriers=_distinct_count(call_region, codes.individual, regions),
        min_length=np.minimum.reduceat(lengths, firsts),
        max_length=np.maximum.reduceat(lengths, firsts),
        region_class=_classes(call_region, variant_types, codes.copy_number, regions),
    )


SEXES: Final = ("female", "male", None)


def _call_codes(calls: pa.Table, chrom_group: Int64s) -> CallCodes:
    copy_numbers = pc.fill_null(calls.column("copy_number").cast(pa.float64()), np.nan).to_numpy()
    types, type_of = _labels(calls, "variant_type")
    direction = np.full(calls.num_rows, len(DIRECTIONS), dtype=np.int64)
    for index, d in enumerate(DIRECTIONS):
        if d.value in types:
            direction[type_of == types.index(d.value)] = index
    sexes, sex_of = _labels(calls, "sex")
    sex = np.full(calls.num_rows, SEXES.index(None), dtype=np.int64)
    for index, name in enumerate(SEXES[:2]):
        if name in sexes:
            sex[sex_of == sexes.index(name)] = index
    superpopulations, superpopulation = _labels(calls, "superpopulation")
    populations, population = _labels(calls, "population")
    return CallCodes(
        individual=_labels(calls, "individual_id")[1],
        sex=sex,
        direction=direction,
        alleles=_allele_counts(calls, copy_numbers, types, type_of),
        copy_number=copy_numbers,
        superpopulation=superpopulation,
        population=population,
        superpopulations=superpopulations,
        populations=populations,
        chrom_group=chrom_group.astype(np.int64),
    )


def _labels(calls: pa.Table, name: str) -> tuple[list[str], Int64s]:
    """A text column's distinct values ('' for none) and each call's index among them."""
    if calls.num_rows == 0:
        return [], np.empty(0, dtype=np.int64)
    column = pc.fill_null(calls.column(name).cast(pa.string()), "")
    encoded = pc.dictionary_encode(column).combine_chunks()
    names = [str(v) for v in encoded.dictionary.to_pylist()]
    return names, encoded.indices.to_numpy().astype(np.int64)


def _allele_counts(
    calls: pa.Table, copy_numbers: npt.NDArray[np.float64], types: list[str], type_of: Int64s
) -> Int64s:
    """Each call's allele count (shared.frequencies.allele_count) for a carrier of 0, 1 and
    2 copies, computed once per distinct (genotype, copy number, type)."""
    found = np.zeros((calls.num_rows, 3), dtype=np.int64)
    if calls.num_rows == 0:
        return found
    genotypes, genotype_of = _labels(calls, "genotype")
    values, value_of = np.unique(np.nan_to_num(copy_numbers, nan=-1.0), return_inverse=True)
    keys = (genotype_of * len(values) + value_of) * len(types) + type_of
    distinct_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    table = np.zeros((len(distinct_keys), 3), dtype=np.int64)
    for row, call in enumerate(first.tolist()):
        copy_number = float(copy_numbers[call])
        for copies in (1, 2):
            table[row, copies] = allele_count(
                genotypes[genotype_of[call]] or None,
                None if math.isnan(copy_number) else copy_number,
                types[type_of[call]],
                copies,
            )
    return table[inverse]


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


Region = tuple[Clusters, int]  # a region: its clusters and its row there


def ordered_regions(parts: Sequence[Clusters], order: RegionOrder) -> list[Region]:
    """Every region of the parts (a search's clusters, one per dataset, in dataset order:
    regions never span datasets) in this order."""
    positions = [part.ordered(RegionOrder.POSITION) for part in parts]
    by_position = [
        (part, row) for part, rows in zip(parts, positions, strict=True) for row in rows.tolist()
    ]
    if order is RegionOrder.POSITION or not by_position:
        return by_position
    keys = [
        (part.carriers if order is RegionOrder.CARRIERS else part.end - part.start)[rows]
        for part, rows in zip(parts, positions, strict=True)
    ]
    first = np.argsort(-np.concatenate(keys), kind="stable")
    return [by_position[i] for i in first.tolist()]


def region_views(
    regions: Sequence[Region], sizes_of: Mapping[str, Sequence[GroupSize]], assembly: str
) -> list[dict[str, Any]]:
    """These regions, each with its frequencies in every group of its dataset with data
    (`sizes_of`: a dataset's group sizes)."""
    return [
        _view(clusters, row, sizes_of.get(clusters.dataset_id[row], ()), assembly)
        for clusters, row in regions
    ]


def _view(
    clusters: Clusters, row: int, sizes: Sequence[GroupSize], assembly: str
) -> dict[str, Any]:
    codes = clusters.calls
    members = clusters.members[clusters.bounds[row] : clusters.bounds[row + 1]]
    chrom, start, end = clusters.chrom[row], int(clusters.start[row]), int(clusters.end[row])
    dataset_id = clusters.dataset_id[row]
    # Copies of the founding interval by sex (None: unknown, counted as 0 alleles).
    copies_by_sex = np.array([ploidy(chrom, start, end, sex, assembly) or 0 for sex in SEXES])
    frequencies = {
        direction: group_frequencies(
            _carried(codes, members[codes.direction[members] == index], copies_by_sex),
            sizes,
            chrom=chrom,
            start=start,
            end=end,
            assembly=assembly,
        )
        for index, direction in enumerate(DIRECTIONS)
    }
    copies_of = _copy_numbers(codes, members, chrom, start, end, assembly)
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


def _one_per_individual(individuals: Int64s, preference: npt.NDArray[Any]) -> Int64s:
    """Positions of one call per individual: its first with the largest preference."""
    order = np.lexsort((-preference, individuals))
    return order[np.flatnonzero(np.diff(individuals[order], prepend=-1))].astype(np.int64)


def _carried(
    codes: CallCodes, rows: Int64s, copies_by_sex: Int64s
) -> dict[tuple[GroupLevel, str], tuple[int, int]]:
    """(level, code) -> (carriers, allele count) of these calls: each individual once, with
    its calls' largest allele count."""
    if len(rows) == 0:
        return {}
    counts = codes.alleles[rows, copies_by_sex[codes.sex[rows]]]
    chosen = _one_per_individual(codes.individual[rows], counts)
    best, people = counts[chosen], rows[chosen]
    carried = {_EVERYONE: (len(people), int(best.sum()))}
    for level, group_of, names in _levels(codes):
        group = group_of[people]
        carriers = np.bincount(group, minlength=len(names))
        alleles = np.bincount(group, weights=best, minlength=len(names))
        for index in np.flatnonzero(carriers).tolist():
            if names[index]:
                carried[(level, names[index])] = (int(carriers[index]), int(alleles[index]))
    return carried


_EVERYONE: Final = (GroupLevel.ALL, GroupLevel.ALL.value)


def _levels(codes: CallCodes) -> tuple[tuple[GroupLevel, Int64s, list[str]], ...]:
    return (
        (GroupLevel.SUPERPOPULATION, codes.superpopulation, codes.superpopulations),
        (GroupLevel.POPULATION, codes.population, codes.populations),
    )


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
    codes: CallCodes, rows: Int64s, chrom: str, start: int, end: int, assembly: str
) -> dict[tuple[GroupLevel, str], dict[str, int]]:
    """Carriers by copy number in each group: a carrier's copy number in the region is the
    one of its calls farthest from its ploidy ('.': none of its calls gives one)."""
    if len(rows) == 0:
        return {}
    baseline = np.array([ploidy(chrom, start, end, sex, assembly) or 2 for sex in SEXES])
    copy_number = codes.copy_number[rows]
    distance = np.where(
        np.isnan(copy_number), -1.0, np.abs(copy_number - baseline[codes.sex[rows]])
    )
    people = rows[_one_per_individual(codes.individual[rows], distance)]
    values, value_of = np.unique(
        np.nan_to_num(codes.copy_number[people], nan=-1.0), return_inverse=True
    )
    texts = [UNKNOWN_COPY_NUMBER if v < 0 else f"{v:g}" for v in values.tolist()]
    found: dict[tuple[GroupLevel, str], dict[str, int]] = {
        _EVERYONE: {
            texts[i]: int(n) for i, n in enumerate(np.bincount(value_of, minlength=len(texts))) if n
        }
    }
    for level, group_of, names in _levels(codes):
        keys = group_of[people] * len(texts) + value_of
        distinct_keys, counts = np.unique(keys, return_counts=True)
        for key, count in zip(distinct_keys.tolist(), counts.tolist(), strict=True):
            name = names[key // len(texts)]
            if name:
                found.setdefault((level, name), {})[texts[key % len(texts)]] = int(count)
    return found
