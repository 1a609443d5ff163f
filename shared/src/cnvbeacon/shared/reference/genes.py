"""Gene symbols -> loci, type-ahead suggestions, and genes overlapping a region.

Tables: GENCODE v44 (GRCh38) and GENCODE on hg19 (GRCh37), trimmed to protein-coding genes
and named non-coding genes of chromosomes 1-22, X, Y, M (see data/SOURCE.md). Coordinates
are 0-based half-open. A symbol may have several loci (e.g. pseudoautosomal genes on X and
Y); lookups report all of them. Some genes exist only on alternate haplotypes of GRCh38 and
so are absent here (CCL3L1 is on chr17_KI270909v1_alt only).
"""

from __future__ import annotations

import csv
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Final, NamedTuple

from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.assemblies import Assembly, normalise_assembly
from cnvbeacon.shared.reference.chromosomes import normalise_chromosome

PROTEIN_CODING: Final = "protein_coding"


class GeneLocus(NamedTuple):
    chrom: str
    start: int
    end: int
    strand: str  # "+" or "-"
    gene_id: str | None  # versioned Ensembl id; the GRCh37 table has none
    gene_type: str  # GENCODE gene_type, e.g. "protein_coding", "lncRNA"
    symbol: str


@cache
def _loci(assembly: Assembly) -> tuple[GeneLocus, ...]:
    with _files.open_data(_files.GENES[assembly]) as handle:
        return tuple(
            GeneLocus(
                normalise_chromosome(row["#chrom"], assembly),
                int(row["start"]),
                int(row["end"]),
                row["strand"],
                row["gene_id"] or None,
                row["gene_type"],
                row["gene_name"],
            )
            for row in csv.DictReader(handle, delimiter="\t")
        )


@cache
def _loci_by_key(assembly: Assembly) -> dict[str, list[GeneLocus]]:
    """Upper-cased symbol, and unversioned Ensembl id where known, -> loci."""
    index: dict[str, list[GeneLocus]] = {}
    for locus in _loci(assembly):
        index.setdefault(locus.symbol.upper(), []).append(locus)
        if locus.gene_id is not None:
            unversioned = locus.gene_id.split(".")[0].upper()
            if unversioned != locus.symbol.upper():
                index.setdefault(unversioned, []).append(locus)
    return index


def gene_loci(symbol: str, assembly: str) -> list[GeneLocus]:
    """Every locus of a gene symbol (case-insensitive) or Ensembl gene id, in genome order.

    An empty list means the gene is unknown in this assembly's table.
    """
    canonical = normalise_assembly(assembly)
    key = symbol.strip().upper()
    if key.startswith("ENSG"):
        key = key.split(".")[0]
    return list(_loci_by_key(canonical).get(key, ()))


class _SortedSymbols(NamedTuple):
    keys: list[str]  # upper-cased, sorted, for bisect
    symbols: list[str]  # as spelled in the table, parallel to keys


@cache
def _suggestion_index(assembly: Assembly) -> tuple[_SortedSymbols, _SortedSymbols]:
    """Symbols with at least one protein-coding locus, then all other symbols."""
    coding = {locus.symbol for locus in _loci(assembly) if locus.gene_type == PROTEIN_CODING}
    other = {locus.symbol for locus in _loci(assembly)} - coding

    def sorted_symbols(symbols: set[str]) -> _SortedSymbols:
        pairs = sorted((symbol.upper(), symbol) for symbol in symbols)
        return _SortedSymbols([key for key, _ in pairs], [symbol for _, symbol in pairs])

    return sorted_symbols(coding), sorted_symbols(other)


def suggest_genes(prefix: str, assembly: str, limit: int = 10) -> list[str]:
    """Up to `limit` symbols starting with `prefix` (case-insensitive), for type-ahead.

    An exact match comes first, then protein-coding genes, then the others, each group
    alphabetical.
    """
    key = prefix.strip().upper()
    if not key or limit <= 0:
        return []
    exact: list[str] = []
    starting: list[str] = []
    for group in _suggestion_index(normalise_assembly(assembly)):
        position = bisect_left(group.keys, key)
        while position < len(group.keys) and group.keys[position].startswith(key):
            symbol = group.symbols[position]
            (exact if group.keys[position] == key else starting).append(symbol)
            position += 1
            if len(starting) >= limit:
                break
    return (exact + starting)[:limit]


@dataclass(slots=True)
class _LengthClassBin:
    """Genes of one chromosome and one length class, sorted by start.

    Every gene here is shorter than max_length, so one overlapping [S, E) starts in
    (S - max_length, E): two bisects bound the candidates (as in shared/intervals.py).
    """

    max_length: int = 0
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)


@cache
def _overlap_index(
    assembly: Assembly, protein_coding_only: bool
) -> dict[str, list[_LengthClassBin]]:
    grouped: dict[str, dict[int, list[GeneLocus]]] = {}
    for locus in _loci(assembly):
        if protein_coding_only and locus.gene_type != PROTEIN_CODING:
            continue
        by_class = grouped.setdefault(locus.chrom, {})
        by_class.setdefault(length_class(locus.end - locus.start), []).append(locus)
    index: dict[str, list[_LengthClassBin]] = {}
    for chrom, by_class in grouped.items():
        bins = index.setdefault(chrom, [])
        for loci in by_class.values():
            loci.sort(key=lambda locus: locus.start)
            genes = _LengthClassBin(max_length=max(locus.end - locus.start for locus in loci))
            for locus in loci:
                genes.starts.append(locus.start)
                genes.ends.append(locus.end)
                genes.symbols.append(locus.symbol)
            bins.append(genes)
    return index


def genes_overlapping(
    chrom: str, start: int, end: int, assembly: str, *, protein_coding_only: bool = False
) -> list[str]:
    """Symbols of the genes overlapping the 0-based half-open region, by gene start,
    each symbol once."""
    if not 0 <= start < end:
        raise ValueError(f"invalid region {chrom}:{start}-{end}: need 0 <= start < end")
    canonical = normalise_assembly(assembly)
    bins = _overlap_index(canonical, protein_coding_only).get(
        normalise_chromosome(chrom, canonical), ()
    )
    hits: list[tuple[int, str]] = []
    for genes in bins:
        first = bisect_right(genes.starts, start - genes.max_length)
        last = bisect_left(genes.starts, end, first)
        ends, starts, symbols = genes.ends, genes.starts, genes.symbols
        hits.extend((starts[i], symbols[i]) for i in range(first, last) if ends[i] > start)
    hits.sort()
    return list(dict.fromkeys(symbol for _, symbol in hits))


def genes_of_call(chrom: str, start: int, end: int, assembly: str) -> list[str]:
    """The genes a call (or variant) is annotated with: the protein-coding genes it
    overlaps, none on a contig or an assembly without gene annotation."""
    try:
        return genes_overlapping(chrom, start, end, assembly, protein_coding_only=True)
    except ValueError:
        return []
