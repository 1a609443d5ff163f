"""The few assembly facts the VCF parser needs: names, chromosome lengths and PARs (those
from shared.reference).

Deliberately self-contained (the full reference-data module lives elsewhere): lengths of the
assembled chromosomes are enough to tell GRCh38 from GRCh37 by a VCF's ``##contig`` lines.
Lengths come from the UCSC/bioframe seqinfo tables (hg38, hg19).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cnvbeacon.shared.reference.chromosomes import PSEUDOAUTOSOMAL_REGIONS

GRCH38 = "GRCh38"
GRCH37 = "GRCh37"

# Every spelling we accept for an assembly (lower-cased) -> its canonical name. hs37d5 and b37 are
# GRCh37 plus decoys; coordinates and chromosome lengths are those of GRCh37.
_ASSEMBLY_ALIASES: dict[str, str] = {
    "grch38": GRCH38,
    "hg38": GRCH38,
    "grch37": GRCH37,
    "hg19": GRCH37,
    "hs37d5": GRCH37,
    "b37": GRCH37,
}

# chr1..22, X, Y lengths per assembly. chrM is left out: 16569 (rCRS) is used by GRCh38 and by
# GRCh37-based b37/hs37d5 alike, so it cannot tell the two apart.
CHROMOSOME_LENGTHS: dict[str, dict[str, int]] = {
    GRCH38: {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
        "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
        "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
        "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
        "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
    GRCH37: {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260,
        "6": 171115067, "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747,
        "11": 135006516, "12": 133851895, "13": 115169878, "14": 107349540, "15": 102531392,
        "16": 90354753, "17": 81195210, "18": 78077248, "19": 59128983, "20": 63025520,
        "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
}  # fmt: skip

PRIMARY_CHROMOSOMES: frozenset[str] = frozenset(CHROMOSOME_LENGTHS[GRCH38]) | {"M"}

# Decoy contigs that only exist in GRCh37-based references.
_GRCH37_ONLY_CONTIGS = frozenset({"hs37d5", "NC_007605"})


def normalise_assembly(name: str) -> str:
    """'hg38' -> 'GRCh38', 'hs37d5' -> 'GRCh37'; ValueError for anything else."""
    canonical = _ASSEMBLY_ALIASES.get(name.strip().lower())
    if canonical is None:
        raise ValueError(
            f"unsupported assembly {name!r}: use GRCh38 (hg38) or GRCh37 (hg19, hs37d5, b37)"
        )
    return canonical


def normalise_chromosome(contig: str) -> str:
    """'chr1' -> '1', 'chrX' -> 'X', 'MT'/'chrM' -> 'M'; other contigs lose only 'chr'."""
    name = contig[3:] if contig[:3].lower() == "chr" else contig
    if name in ("M", "MT", "m", "mt"):
        return "M"
    if name in ("x", "y"):
        return name.upper()
    return name


def assemblies_matching_lengths(contig_lengths: Mapping[str, int | None]) -> set[str]:
    """The assemblies consistent with every primary-chromosome length given.

    Contigs without a length or that are not primary chromosomes are ignored. Returns an empty
    set if the lengths fit no known assembly (or contradict each other), and both assemblies
    if there is nothing to compare.
    """
    candidates = set(CHROMOSOME_LENGTHS)
    for contig, length in contig_lengths.items():
        if contig in _GRCH37_ONLY_CONTIGS:
            candidates &= {GRCH37}
            continue
        chromosome = normalise_chromosome(contig)
        if length is None or chromosome not in CHROMOSOME_LENGTHS[GRCH38]:
            continue
        candidates &= {
            assembly
            for assembly, lengths in CHROMOSOME_LENGTHS.items()
            if lengths[chromosome] == length
        }
    return candidates


# An alias as a word of its own, so that e.g. a hex digest containing "b37" does not count.
_ASSEMBLY_IN_TEXT = re.compile(
    r"(?<![a-z0-9])(" + "|".join(_ASSEMBLY_ALIASES) + r")(?![0-9])", re.IGNORECASE
)


def assembly_from_text(text: str) -> str | None:
    """The assembly named in free text such as a ``##reference`` path, if exactly one is."""
    found = {_ASSEMBLY_ALIASES[m.lower()] for m in _ASSEMBLY_IN_TEXT.findall(text)}
    return found.pop() if len(found) == 1 else None


def pseudoautosomal_regions(assembly: str, chromosome: str) -> tuple[tuple[int, int], ...]:
    """The PARs of a chromosome as (start, end) pairs; none but on X and Y."""
    return PSEUDOAUTOSOMAL_REGIONS.get(assembly, {}).get(chromosome, ())


def midpoint_in_regions(regions: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """Whether the midpoint of [start, end) lies in one of the regions (how a call is placed
    in or out of a PAR; _record_scan.c does the same)."""
    midpoint = (start + end) // 2
    return any(region_start <= midpoint < region_end for region_start, region_end in regions)
