"""Cytogenetic bands (UCSC cytoBand, 862 bands at 850-band resolution) of GRCh38 and GRCh37.

Accepted band notations, case-insensitive, with an optional "chr" prefix:
  "1q21.1"          one band
  "1q21", "1q2"     a band prefix covers all its sub-bands (1q21 = 1q21.1 + 1q21.2 + 1q21.3)
  "1q", "17p"       a whole arm (the centromeric acen band included)
  "8q21q24.1"       a range from band to band, also "8q21-q24.1" and "8q21-8q24.1"
A chromosome alone ("1", "chrX") is rejected with ValueError: it is a region request, and
region parsing (with the chromosome's full length) is the caller's job.
Coordinates are 0-based half-open. The mitochondrion has no bands.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Final, NamedTuple

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.assemblies import Assembly, normalise_assembly
from cnvbeacon.shared.reference.chromosomes import chromosome_length, normalise_chromosome

_CHROM: Final = r"(?:chr)?(?:[0-9]{1,2}|X|Y)"
_BAND: Final = r"[pq](?:\d+(?:\.\d+)?)?"
_RANGE_SEPARATOR: Final = r"\s*[-\u2013]?\s*"  # nothing, a hyphen or an en dash
_CYTOBAND: Final = re.compile(
    rf"(?P<chrom>{_CHROM})(?P<first>{_BAND})"
    rf"(?:{_RANGE_SEPARATOR}(?P<chrom2>{_CHROM})?(?P<last>{_BAND}))?",
    re.IGNORECASE,
)
_CHROMOSOME_ALONE: Final = re.compile(r"(?:chr)?(?:[0-9]{1,2}|X|Y|MT?)", re.IGNORECASE)


class GenomicRegion(NamedTuple):
    chrom: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Band:
    chrom: str
    start: int
    end: int
    band: str  # e.g. "q21.1"
    stain: str  # gneg, gpos25, gpos50, gpos75, gpos100, acen, gvar or stalk

    @property
    def label(self) -> str:
        """Chromosome and band, e.g. "1q21.1"."""
        return f"{self.chrom}{self.band}"


@cache
def _bands_by_chromosome(assembly: Assembly) -> dict[str, tuple[Band, ...]]:
    by_chromosome: dict[str, list[Band]] = {}
    with _files.open_data(_files.CYTOBANDS[assembly]) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            chrom = normalise_chromosome(row["chrom"], assembly)
            band = Band(chrom, int(row["start"]), int(row["end"]), row["band"], row["stain"])
            by_chromosome.setdefault(chrom, []).append(band)
    return {
        chrom: tuple(sorted(chrom_bands, key=lambda b: b.start))
        for chrom, chrom_bands in by_chromosome.items()
    }


@cache
def _band_starts(assembly: Assembly, chrom: str) -> list[int]:
    return [band.start for band in _bands_by_chromosome(assembly).get(chrom, ())]


def bands(chrom: str, assembly: str) -> list[Band]:
    """The chromosome's bands from pter to qter, with stains for drawing ideograms."""
    canonical = normalise_assembly(assembly)
    return list(_bands_by_chromosome(canonical).get(normalise_chromosome(chrom, canonical), ()))


def cytoband_region(text: str, assembly: str) -> GenomicRegion:
    """0-based half-open span of a band, band prefix, arm or band range (see module doc)."""
    canonical = normalise_assembly(assembly)
    notation = text.strip()
    if _CHROMOSOME_ALONE.fullmatch(notation):
        raise ValueError(f"{text!r} is a chromosome, not a cytoband; query it as a region instead")
    parsed = _CYTOBAND.fullmatch(notation)
    if parsed is None:
        raise ValueError(
            f"cannot read {text!r} as a cytoband: expected e.g. 1q21.1, 17p, Xp11.2 or 8q21q24.1"
        )
    chrom = normalise_chromosome(parsed["chrom"], canonical)
    if parsed["chrom2"] and normalise_chromosome(parsed["chrom2"], canonical) != chrom:
        raise ValueError(f"band range {text!r} spans two chromosomes")
    matched: list[Band] = []
    for prefix in filter(None, (parsed["first"], parsed["last"])):
        found = _bands_with_prefix(canonical, chrom, prefix.lower())
        if not found:
            raise ValueError(f"unknown cytoband {chrom}{prefix.lower()} in {canonical}")
        matched.extend(found)
    # Bands of a range may be written either way round: the span is their union.
    return GenomicRegion(chrom, min(b.start for b in matched), max(b.end for b in matched))


def band_at(chrom: str, position: int, assembly: str) -> str | None:
    """Label ("1q21.1") of the band holding a 0-based position; None on the mitochondrion."""
    canonical = normalise_assembly(assembly)
    name = normalise_chromosome(chrom, canonical)
    length = chromosome_length(name, canonical)
    if not 0 <= position < length:
        raise ValueError(f"position {position} is outside chromosome {name} (length {length})")
    starts = _band_starts(canonical, name)
    if not starts:
        return None
    return _bands_by_chromosome(canonical)[name][bisect_right(starts, position) - 1].label


def cytoband_label(chrom: str, start: int, end: int, assembly: str) -> str | None:
    """ISCN-style band label of a 0-based half-open region: "1q21.1", or "1q21.1q21.3"
    when it spans several bands; None on the mitochondrion."""
    if end <= start:
        raise ValueError(f"empty region {chrom}:{start}-{end}")
    first = band_at(chrom, start, assembly)
    last = band_at(chrom, end - 1, assembly)
    if first is None or last is None:
        return None
    name = normalise_chromosome(chrom, assembly)
    return first if first == last else first + last.removeprefix(name)


def _bands_with_prefix(assembly: Assembly, chrom: str, prefix: str) -> list[Band]:
    # ISCN refines a band by appending one digit per level (arm q, region q2, band q21,
    # sub-band q21.3, q21.31), so a string prefix selects exactly the band and its sub-bands.
    return [
        band
        for band in _bands_by_chromosome(assembly).get(chrom, ())
        if band.band.startswith(prefix)
    ]
