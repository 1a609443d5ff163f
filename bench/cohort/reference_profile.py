"""What one real DRAGEN 3.5.7b CNV VCF looks like, measured from the file at generation time.

The generator takes every parameter that describes a single sample from here: the header
lines, the number of calls, the loss and homozygous-loss counts, the length and copy-number
distributions, the chromosome mix, and per-call "templates" (QUAL, bins per kilobase, PE
counts, FILTER verdict, SM noise) that synthetic calls of the same kind and size borrow.
Only HG00096 is available offline, so it is the reference by default.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_VCF = ROOT / "deploy" / "demo-data" / "HG00096.dragen-3.5.7b.hg38.cnv.vcf.gz"

LOSS_CN0 = 0  # template kinds: homozygous (or hemizygous) loss, one-copy loss, gain
LOSS_CN1 = 1
GAIN = 2
TEMPLATE_KINDS = (LOSS_CN0, LOSS_CN1, GAIN)
# Length decades the templates are grouped by: 1-10 kb, 10-100 kb, 100 kb-1 Mb, >= 1 Mb.
DECADES = (3, 4, 5, 6)

_FILTER_THRESHOLD = re.compile(r'##FILTER=<ID=(\w+),Description="[^"]*below (\d+)"')
_SAMPLE_SEX = re.compile(r"--sample-sex (\w+)")


class ReferenceCall(NamedTuple):
    """One record of the real file, with the fields the generator models."""

    chrom: str  # as written, e.g. "chr1"
    pos: int  # VCF POS: the padding base, so the call covers POS+1..END (0-based start = POS)
    end: int
    is_loss: bool
    copy_number: int
    genotype: str
    copy_ratio: float  # FORMAT SM
    bins: int  # FORMAT BC
    paired_ends: str  # FORMAT PE, two counts as written
    quality: int
    filter: str

    @property
    def length(self) -> int:
        return self.end - self.pos

    @property
    def ploidy(self) -> int:
        return 1 if "/" not in self.genotype and "|" not in self.genotype else 2

    @property
    def kind(self) -> int:
        if not self.is_loss:
            return GAIN
        return LOSS_CN0 if self.copy_number == 0 else LOSS_CN1


def length_decade(length: int | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """floor(log10(length)) clipped to the template decades."""
    values = np.floor(np.log10(np.maximum(np.asarray(length, dtype=np.float64), 1.0)))
    return np.clip(values, DECADES[0], DECADES[-1]).astype(np.int64)


@dataclass(frozen=True)
class CallTemplates:
    """Per-call attributes of the real calls, grouped by (kind, length decade).

    ``pools[(kind, decade)]`` holds indices into the arrays; every (kind, decade) has a
    non-empty pool (borrowed from the nearest decade, then from any kind, if the real file
    has no such call).
    """

    quality: npt.NDArray[np.int64]
    bins_per_kb: npt.NDArray[np.float64]
    paired_ends: tuple[str, ...]
    # The FILTER a call of >= the length threshold gets when its QUAL passes: PASS or
    # cnvBinSupportRatio (the real verdict of the template; for templates shorter than the
    # length threshold, whose verdict cnvLength hides, PASS).
    long_call_filter: tuple[str, ...]
    pools: dict[tuple[int, int], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class ReferenceProfile:
    path: Path
    sha256: str
    header_lines: tuple[str, ...]  # every "##" line, in order
    sample: str
    sample_sex: str
    calls: tuple[ReferenceCall, ...]
    length_filter_below: int  # cnvLength: "CNV with length below N"
    quality_filter_below: int  # cnvQual: "CNV with quality below N"

    @property
    def calls_per_sample(self) -> int:
        return len(self.calls)

    @property
    def losses(self) -> int:
        return sum(call.is_loss for call in self.calls)

    @property
    def zero_copy_losses(self) -> int:
        return sum(call.is_loss and call.copy_number == 0 for call in self.calls)

    @property
    def pass_fraction(self) -> float:
        return sum(call.filter == "PASS" for call in self.calls) / len(self.calls)

    def lengths(self, *, loss: bool) -> npt.NDArray[np.int64]:
        return np.array([c.length for c in self.calls if c.is_loss is loss], dtype=np.int64)

    @cached_property
    def diploid_gain_copy_numbers(self) -> npt.NDArray[np.int64]:
        return np.array(
            [c.copy_number for c in self.calls if not c.is_loss and c.ploidy == 2], dtype=np.int64
        )

    @cached_property
    def zero_copy_ratios(self) -> npt.NDArray[np.float64]:
        """SM of the real zero-copy calls (mostly DRAGEN's floor, 1.00369e-09)."""
        return np.array([c.copy_ratio for c in self.calls if c.copy_number == 0])

    def copy_ratio_noise(self, *, loss: bool) -> npt.NDArray[np.float64]:
        """SM / (CN / ploidy) of the real non-zero-copy calls of one direction."""
        return np.array(
            [
                c.copy_ratio / (c.copy_number / c.ploidy)
                for c in self.calls
                if c.is_loss is loss and c.copy_number > 0
            ]
        )

    @cached_property
    def chromosome_counts(self) -> Counter[str]:
        """Calls per chromosome, by name without "chr"."""
        return Counter(call.chrom.removeprefix("chr") for call in self.calls)

    def loss_fraction_on(self, chrom: str) -> tuple[int, int]:
        """(losses, calls) on one chromosome (name without "chr")."""
        on = [c for c in self.calls if c.chrom.removeprefix("chr") == chrom]
        return sum(c.is_loss for c in on), len(on)

    @cached_property
    def templates(self) -> CallTemplates:
        calls = self.calls
        kinds = np.array([c.kind for c in calls], dtype=np.int64)
        decades = length_decade(np.array([c.length for c in calls], dtype=np.int64))
        pools: dict[tuple[int, int], npt.NDArray[np.int64]] = {}
        for kind in TEMPLATE_KINDS:
            for decade in DECADES:
                pools[(kind, decade)] = _nearest_pool(kinds, decades, kind, decade)
        return CallTemplates(
            quality=np.array([c.quality for c in calls], dtype=np.int64),
            bins_per_kb=np.array([1000 * c.bins / c.length for c in calls]),
            paired_ends=tuple(c.paired_ends for c in calls),
            long_call_filter=tuple(
                c.filter
                if c.length >= self.length_filter_below and c.filter == "cnvBinSupportRatio"
                else "PASS"
                for c in calls
            ),
            pools=pools,
        )

    def dragen_command_line(self, sample: str, sex: str) -> str:
        """The real ##DRAGENCommandLine line, for another sample and sex."""
        line = next(line for line in self.header_lines if line.startswith("##DRAGENCommandLine"))
        return line.replace(self.sample, sample).replace(
            f"--sample-sex {self.sample_sex}", f"--sample-sex {sex}"
        )


def _nearest_pool(
    kinds: npt.NDArray[np.int64], decades: npt.NDArray[np.int64], kind: int, decade: int
) -> npt.NDArray[np.int64]:
    """Templates of this kind in the nearest decade that has any; else of any kind."""
    for candidates in (kinds == kind, np.ones_like(kinds, dtype=bool)):
        for distance in range(len(DECADES)):
            for nearby in (decade - distance, decade + distance):
                found = np.flatnonzero(candidates & (decades == nearby))
                if found.size:
                    return found
    raise ValueError("the reference file has no calls")


def load_profile(path: Path = REFERENCE_VCF) -> ReferenceProfile:
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if raw[:2] == b"\x1f\x8b" else raw.decode()
    header: list[str] = []
    sample = ""
    calls: list[ReferenceCall] = []
    for line in text.splitlines():
        if line.startswith("##"):
            header.append(line)
        elif line.startswith("#CHROM"):
            columns = line.split("\t")
            if len(columns) != 10:
                raise ValueError(f"{path}: the reference must be a single-sample VCF")
            sample = columns[9]
        elif line:
            calls.append(_reference_call(line))
    thresholds = {
        match.group(1): int(match.group(2))
        for line in header
        if (match := _FILTER_THRESHOLD.match(line))
    }
    command_line = next((line for line in header if line.startswith("##DRAGENCommandLine")), "")
    sex = _SAMPLE_SEX.search(command_line)
    if not calls or sex is None or {"cnvLength", "cnvQual"} - thresholds.keys():
        raise ValueError(f"{path} is not a DRAGEN CNV VCF with calls, sex and filter thresholds")
    return ReferenceProfile(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        header_lines=tuple(header),
        sample=sample,
        sample_sex=sex.group(1),
        calls=tuple(calls),
        length_filter_below=thresholds["cnvLength"],
        quality_filter_below=thresholds["cnvQual"],
    )


def _reference_call(line: str) -> ReferenceCall:
    chrom, pos, vcf_id, _ref, _alt, quality, filters, info, _format, sample = line.split("\t")
    end = int(info.split("END=")[1].split(";")[0])
    genotype, copy_ratio, copy_number, bins, paired_ends = sample.split(":")
    return ReferenceCall(
        chrom=chrom,
        pos=int(pos),
        end=end,
        is_loss=vcf_id.startswith("DRAGEN:LOSS"),
        copy_number=int(copy_number),
        genotype=genotype,
        copy_ratio=float(copy_ratio),
        bins=int(bins),
        paired_ends=paired_ends,
        quality=round(float(quality)) if math.isfinite(float(quality)) else 0,
        filter=filters,
    )
