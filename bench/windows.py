"""Lookup windows shared by the query and gateway sections, and the tabix floor's index.

Windows: 10 kb - 2 Mb (log-uniform), on chromosomes 1-22 and X weighted by length,
deterministic for a seed. The tabix floor is the cohort's calls as one sites VCF
(ID = the call id the ingest parser gives: dataset:digest16:line:0), bgzipped and indexed.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from bench.cohort.genome import CHROMOSOMES
from cnvbeacon.shared.reference import chromosome_length

ASSEMBLY = "GRCh38"
SMALLEST_WINDOW = 10_000
LARGEST_WINDOW = 2_000_000
WINDOW_CHROMOSOMES = CHROMOSOMES[:-1]  # Y: few calls and only in males


@dataclass(frozen=True, slots=True)
class Window:
    chrom: str  # without "chr"
    start: int  # 0-based
    end: int

    @property
    def reference_name(self) -> str:
        return f"chr{self.chrom}"


def random_windows(count: int, seed: int, *, largest: int = LARGEST_WINDOW) -> list[Window]:
    """``count`` windows of SMALLEST_WINDOW to ``largest`` bases (log-uniform)."""
    rng = random.Random(seed)
    lengths = [chromosome_length(chrom, ASSEMBLY) for chrom in WINDOW_CHROMOSOMES]
    windows = []
    for _ in range(count):
        chrom = rng.choices(WINDOW_CHROMOSOMES, weights=lengths)[0]
        size = round(10 ** rng.uniform(math.log10(SMALLEST_WINDOW), math.log10(largest)))
        start = rng.randrange(0, chromosome_length(chrom, ASSEMBLY) - size)
        windows.append(Window(chrom, start, start + size))
    return windows


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_sites_index(vcf_paths: Sequence[Path], dataset_id: str, directory: Path) -> Path:
    """Every call of the cohort in one bgzipped, tabix-indexed sites VCF; returns its path."""
    records: list[tuple[int, int, str]] = []
    order = {f"chr{chrom}": index for index, chrom in enumerate(CHROMOSOMES)}
    for path in vcf_paths:
        prefix = f"{dataset_id}:{file_digest(path)[:16]}:"
        with pysam.BGZFile(str(path), "rb", index=None) as handle:
            text = handle.read().decode()
        for line_number, line in enumerate(text.splitlines(), start=1):
            if not line or line.startswith("#"):
                continue
            chrom, pos, _id, _ref, alt, _qual, _filter, info = line.split("\t", 8)[:8]
            end = info.split("END=", 1)[1].split(";", 1)[0]
            records.append(
                (
                    order[chrom],
                    int(pos),
                    f"{chrom}\t{pos}\t{prefix}{line_number}:0\tN\t{alt}\t.\t.\tEND={end}\n",
                )
            )
    records.sort()
    plain = directory / "cohort-sites.vcf"
    with plain.open("w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        for chrom in CHROMOSOMES:
            length = chromosome_length(chrom, ASSEMBLY)
            handle.write(f"##contig=<ID=chr{chrom},length={length}>\n")
        handle.write('##INFO=<ID=END,Number=1,Type=Integer,Description="End position">\n')
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        handle.writelines(line for _, _, line in records)
    return Path(pysam.tabix_index(str(plain), preset="vcf", force=True))


def tabix_ids(tabix: pysam.TabixFile, window: Window) -> set[str]:
    """Calls overlapping the window: tabix's candidates, then the exact [POS, END) check."""
    found = set()
    for row in tabix.fetch(window.reference_name, window.start, window.end, parser=pysam.asTuple()):
        start, end = int(row[1]), int(row[7][4:])
        if start < window.end and end > window.start:
            found.add(row[2])
    return found
