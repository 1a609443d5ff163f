"""Protein-coding genes as arrays, for gene frequency maps and the genes of a CNVR.

Built from the shared reference through its public lookups (every protein-coding symbol
of each chromosome, then its loci there). A symbol with loci on X and Y (pseudoautosomal
genes) has a row on each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.genome import Genome
from cnvbeacon.query.analyses.intervals import overlap_pairs
from cnvbeacon.shared.reference import gene_loci, genes_overlapping
from cnvbeacon.shared.reference.genes import PROTEIN_CODING


@dataclass(frozen=True, slots=True)
class Genes:
    """Sorted by (chromosome, start)."""

    chrom: npt.NDArray[np.int16]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    symbol: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return len(self.start)


@cache
def protein_coding_genes(the_genome: Genome) -> Genes:
    rows: list[tuple[int, int, int, str]] = []
    for index, (chrom, length) in enumerate(
        zip(the_genome.chromosomes, the_genome.lengths, strict=True)
    ):
        symbols = genes_overlapping(chrom, 0, length, the_genome.assembly, protein_coding_only=True)
        for symbol in symbols:
            rows.extend(
                (index, locus.start, locus.end, locus.symbol)
                for locus in gene_loci(symbol, the_genome.assembly)
                if locus.chrom == chrom and locus.gene_type == PROTEIN_CODING
            )
    rows = sorted(set(rows))
    return Genes(
        np.array([r[0] for r in rows], dtype=np.int16),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
        np.array([r[3] for r in rows], dtype=object),
    )


def genes_of_intervals(
    genes: Genes,
    chrom: npt.NDArray[np.int16],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """For each interval, its overlapping gene symbols (by gene start, ";"-joined, each
    once) and their number."""
    texts = np.full(len(start), "", dtype=object)
    counts = np.zeros(len(start), dtype=np.int64)
    rows, gene_rows = overlap_pairs(chrom, start, end, genes.chrom, genes.start, genes.end)
    if len(rows) == 0:
        return texts, counts
    order = np.lexsort((genes.start[gene_rows], rows))
    rows, gene_rows = rows[order], gene_rows[order]
    firsts = np.flatnonzero(np.diff(rows, prepend=-1))
    symbols = genes.symbol[gene_rows].tolist()
    bounds = [*firsts.tolist(), len(rows)]
    for first, last in pairwise(bounds):
        unique = list(dict.fromkeys(symbols[first:last]))
        texts[rows[first]] = ";".join(unique)
        counts[rows[first]] = len(unique)
    return texts, counts
