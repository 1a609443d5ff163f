"""One analysis of a cohort: every table and the genome summary, computed in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from cnvbeacon.query.analyses.cohort import Cohort
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.differentiation import add_differentiation
from cnvbeacon.query.analyses.frequencies import (
    DEFAULT_BIN_SIZE,
    bin_frequencies,
    gene_frequencies,
)
from cnvbeacon.query.analyses.genes import genes_of_intervals, protein_coding_genes
from cnvbeacon.query.analyses.groups import Group, counts_by_group, sample_groups
from cnvbeacon.query.analyses.profiles import sample_profiles
from cnvbeacon.query.analyses.regions import DEFAULT_RECIPROCAL_OVERLAP, find_regions
from cnvbeacon.query.analyses.summary import genome_summary

MIN_BIN_SIZE: Final = 10_000
MAX_BIN_SIZE: Final = 50_000_000
BINS: Final = "bins"
GENES: Final = "genes"
CNVRS: Final = "cnvrs"
EVENTS: Final = "events"
SAMPLES: Final = "samples"
TABLES: Final = (BINS, GENES, CNVRS, EVENTS, SAMPLES)


@dataclass(frozen=True, slots=True)
class Parameters:
    bin_size: int = DEFAULT_BIN_SIZE
    min_overlap: float = DEFAULT_RECIPROCAL_OVERLAP

    def __post_init__(self) -> None:
        if not MIN_BIN_SIZE <= self.bin_size <= MAX_BIN_SIZE:
            raise ValueError(f"bin size must be {MIN_BIN_SIZE:,} to {MAX_BIN_SIZE:,} bases")
        if not 0 < self.min_overlap <= 1:
            raise ValueError("the reciprocal overlap must be above 0 and at most 1")

    def key(self) -> str:
        return f"bin_size={self.bin_size};min_overlap={self.min_overlap:g}"

    def describe(self) -> dict[str, Any]:
        return {"bin_size": self.bin_size, "min_overlap": self.min_overlap}


@dataclass(frozen=True, slots=True)
class Result:
    assembly: str
    summary: dict[str, Any]
    groups: list[Group]
    chromosomes: tuple[str, ...]
    chromosome_lengths: tuple[int, ...]
    tables: dict[str, Table] = field(default_factory=dict)


def analyse(cohort: Cohort, parameters: Parameters) -> Result:
    genes = protein_coding_genes(cohort.genome)
    found = find_regions(cohort.calls, len(cohort.samples), parameters.min_overlap)
    regions, events = found.regions, found.events
    for table in (regions, events):
        table["genes"], table["gene_count"] = genes_of_intervals(
            genes, table["chrom"], table["start"], table["end"]
        )
        table["id"] = np.arange(len(table["start"]), dtype=np.int64)
    add_differentiation(cohort, found)
    # Carriers of each CNVR per sample group, to show which populations differ.
    regions["carriers"] = counts_by_group(
        found.call_region, cohort.calls.sample, len(regions["start"]), cohort.samples
    )
    return Result(
        assembly=cohort.genome.assembly,
        summary=genome_summary(cohort, regions, len(events["start"])),
        groups=sample_groups(cohort.samples),
        chromosomes=cohort.genome.chromosomes,
        chromosome_lengths=cohort.genome.lengths,
        tables={
            BINS: bin_frequencies(cohort, parameters.bin_size),
            GENES: gene_frequencies(cohort, genes),
            CNVRS: regions,
            EVENTS: events,
            SAMPLES: sample_profiles(cohort),
        },
    )
