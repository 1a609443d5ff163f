"""Frequency maps (Progenetix style): for each genome bin and each protein-coding gene, the
number of samples with a gain and with a loss overlapping it, per sample group. Fractions
are these counts over the group's sample count."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.cohort import GAIN, LOSS, Cohort
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.genes import Genes
from cnvbeacon.query.analyses.groups import counts_by_group
from cnvbeacon.query.analyses.intervals import overlap_pairs

DEFAULT_BIN_SIZE: Final = 1_000_000


def genome_bins(cohort: Cohort, bin_size: int) -> Table:
    chrom, start, end = [], [], []
    for index, length in enumerate(cohort.genome.lengths):
        starts = np.arange(0, length, bin_size, dtype=np.int64)
        chrom.append(np.full(len(starts), index, dtype=np.int16))
        start.append(starts)
        end.append(np.minimum(starts + bin_size, length))
    return {
        "chrom": np.concatenate(chrom),
        "start": np.concatenate(start),
        "end": np.concatenate(end),
    }


def bin_frequencies(cohort: Cohort, bin_size: int) -> Table:
    table = genome_bins(cohort, bin_size)
    calls = cohort.calls
    per_chrom = np.array([-(-length // bin_size) for length in cohort.genome.lengths])
    offsets = np.concatenate([[0], np.cumsum(per_chrom)[:-1]]).astype(np.int64)
    first = offsets[calls.chrom] + calls.start // bin_size
    last = offsets[calls.chrom] + (calls.end - 1) // bin_size
    spans = (last - first + 1).astype(np.int64)
    rows = np.repeat(np.arange(len(calls)), spans)
    bins = (
        np.repeat(first, spans)
        + np.arange(int(spans.sum()))
        - np.repeat(np.cumsum(spans) - spans, spans)
    )
    _add_direction_counts(table, cohort, rows, bins, len(table["start"]))
    return table


def gene_frequencies(cohort: Cohort, genes: Genes) -> Table:
    calls = cohort.calls
    rows, gene_rows = overlap_pairs(
        calls.chrom, calls.start, calls.end, genes.chrom, genes.start, genes.end
    )
    table: Table = {
        "symbol": genes.symbol,
        "chrom": genes.chrom,
        "start": genes.start,
        "end": genes.end,
    }
    _add_direction_counts(table, cohort, rows, gene_rows.astype(np.int64), len(genes))
    return table


def _add_direction_counts(
    table: Table,
    cohort: Cohort,
    call_rows: npt.NDArray[np.intp],
    units: npt.NDArray[np.int64],
    n_units: int,
) -> None:
    direction = cohort.calls.direction[call_rows]
    sample = cohort.calls.sample[call_rows]
    for name, wanted in (("gain", GAIN), ("loss", LOSS)):
        chosen = direction == wanted
        table[name] = counts_by_group(units[chosen], sample[chosen], n_units, cohort.samples)
