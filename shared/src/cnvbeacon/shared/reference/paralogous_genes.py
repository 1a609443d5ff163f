"""Genes whose copy number genome-wide CNV calls cannot resolve (segmental duplications
with near-identical paralogs, such as SMN1/SMN2), so that an empty or sparse answer there
is explained rather than read as "no CNV here"."""

from __future__ import annotations

import csv
from functools import cache
from typing import NamedTuple

from cnvbeacon.shared.reference._files import PARALOGOUS_GENES, open_data
from cnvbeacon.shared.reference.genes import genes_overlapping


class ParalogousGene(NamedTuple):
    symbol: str
    paralogs: str
    targeted_caller: str
    reference: str

    @property
    def caveat(self) -> str:
        return (
            f"{self.symbol} lies in a segmental duplication with {self.paralogs}: their reads "
            "are nearly identical, so genome-wide CNV calls there are missing or unreliable "
            f"and no call does not mean no copy-number change. The {self.targeted_caller} "
            f"resolves this locus ({self.reference}); its results are not part of these data."
        )


@cache
def paralogous_genes() -> dict[str, ParalogousGene]:
    """The curated table, by upper-case symbol."""
    with open_data(PARALOGOUS_GENES) as text:
        rows = csv.DictReader(text, delimiter="\t")
        return {row["symbol"].upper(): ParalogousGene(**row) for row in rows}


def paralogous_genes_overlapping(
    chrom: str, start: int, end: int, assembly: str
) -> list[ParalogousGene]:
    """The table's genes overlapping a 0-based half-open region, by gene start."""
    table = paralogous_genes()
    found = genes_overlapping(chrom, start, end, assembly)
    return [table[symbol.upper()] for symbol in found if symbol.upper() in table]
