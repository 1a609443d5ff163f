"""Per-sample statistics of DRAGEN CNV VCFs, read from the files themselves.

Used to compare a synthetic cohort with the real reference file (``python -m bench.cohort
--compare``, and the tests). Reads the text directly, independent of the generator and of
the ingest parser.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.cohort import genome

QUANTILES = (10, 25, 50, 75, 90)
COPY_NUMBER_CLASSES = ("0", "1", "2", "3", "4", "5+")
_SAMPLE_SEX = re.compile(r"--sample-sex (\w+)")


@dataclass(frozen=True)
class FileStatistics:
    sample: str
    sex: str | None  # DRAGEN's --sample-sex
    synthetic: bool  # has the ##cnvbeaconSynthetic line
    calls: int
    losses: int
    passing: int
    lengths: npt.NDArray[np.int64]
    copy_numbers: npt.NDArray[np.int64]
    genotypes: Counter[str]
    chromosomes: Counter[str]
    # Calls on X outside the PARs or on Y, and how many of those have a haploid GT ("1").
    sex_linked_calls: int
    sex_linked_haploid: int
    # Haploid GTs elsewhere (autosomes, PARs): never expected.
    misplaced_haploid: int


def read_file_statistics(path: Path) -> FileStatistics:
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if raw[:2] == b"\x1f\x8b" else raw.decode()
    sample, sex, synthetic = "", None, False
    chroms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    losses = passing = 0
    copy_numbers: list[int] = []
    genotypes: list[str] = []
    for line in text.splitlines():
        if line.startswith("##"):
            synthetic |= line.startswith("##cnvbeaconSynthetic")
            if line.startswith("##DRAGENCommandLine") and (found := _SAMPLE_SEX.search(line)):
                sex = found.group(1)
            continue
        if line.startswith("#CHROM"):
            sample = line.split("\t")[9]
            continue
        if not line:
            continue
        fields = line.split("\t")
        chroms.append(fields[0].removeprefix("chr"))
        starts.append(int(fields[1]))
        ends.append(int(fields[7].split("END=")[1].split(";")[0]))
        losses += fields[2].startswith("DRAGEN:LOSS")
        passing += fields[6] == "PASS"
        values = fields[9].split(":")
        genotypes.append(values[0])
        copy_numbers.append(int(values[2]))
    start = np.array(starts, dtype=np.int64)
    end = np.array(ends, dtype=np.int64)
    chrom_index = np.array([genome.CHROMOSOMES.index(c) for c in chroms], dtype=np.int64)
    sex_linked = genome.sex_chromosome_kind(chrom_index, start, end) != genome.AUTOSOMAL
    haploid = np.array([genotype == "1" for genotype in genotypes], dtype=bool)
    return FileStatistics(
        sample=sample,
        sex=sex,
        synthetic=synthetic,
        calls=len(chroms),
        losses=losses,
        passing=passing,
        lengths=end - start,
        copy_numbers=np.array(copy_numbers, dtype=np.int64),
        genotypes=Counter(genotypes),
        chromosomes=Counter(chroms),
        sex_linked_calls=int(sex_linked.sum()),
        sex_linked_haploid=int((sex_linked & haploid).sum()),
        misplaced_haploid=int((~sex_linked & haploid).sum()),
    )


@dataclass(frozen=True)
class CohortSummary:
    """Statistics pooled over files; per-sample figures are means over samples."""

    samples: int
    calls_per_sample: float
    calls_per_sample_sd: float
    loss_fraction: float
    pass_fraction: float
    length_quantiles: dict[int, float]
    copy_number_fractions: dict[str, float]
    # Males: share of sex-linked calls with a haploid GT; females: calls on Y per sample.
    male_sex_linked_per_sample: float
    male_haploid_share: float
    female_y_calls: int
    misplaced_haploid: int

    def rows(self) -> list[tuple[str, float]]:
        rows = [
            ("calls per sample", self.calls_per_sample),
            ("loss fraction", self.loss_fraction),
            ("PASS fraction", self.pass_fraction),
        ]
        rows += [(f"length, {q}th percentile", v) for q, v in self.length_quantiles.items()]
        rows += [(f"copy number {c} (share)", v) for c, v in self.copy_number_fractions.items()]
        rows += [
            ("male X/Y non-PAR calls per sample", self.male_sex_linked_per_sample),
            ("male X/Y non-PAR calls with GT 1 (share)", self.male_haploid_share),
        ]
        return rows


def summarize(files: Sequence[FileStatistics]) -> CohortSummary:
    if not files:
        raise ValueError("no files to summarize")
    calls = np.array([f.calls for f in files], dtype=np.float64)
    lengths = np.concatenate([f.lengths for f in files])
    copy_numbers = np.concatenate([f.copy_numbers for f in files])
    total = float(calls.sum())
    males = [f for f in files if f.sex == "male"]
    male_linked = sum(f.sex_linked_calls for f in males)
    fractions = {
        label: float(np.mean(copy_numbers == int(label))) for label in COPY_NUMBER_CLASSES[:-1]
    }
    fractions[COPY_NUMBER_CLASSES[-1]] = float(np.mean(copy_numbers >= 5))
    return CohortSummary(
        samples=len(files),
        calls_per_sample=float(calls.mean()),
        calls_per_sample_sd=float(calls.std()),
        loss_fraction=sum(f.losses for f in files) / total,
        pass_fraction=sum(f.passing for f in files) / total,
        length_quantiles={q: float(np.percentile(lengths, q)) for q in QUANTILES},
        copy_number_fractions=fractions,
        male_sex_linked_per_sample=male_linked / len(males) if males else 0.0,
        male_haploid_share=(
            sum(f.sex_linked_haploid for f in males) / male_linked if male_linked else 0.0
        ),
        female_y_calls=sum(f.chromosomes.get("Y", 0) for f in files if f.sex == "female"),
        misplaced_haploid=sum(f.misplaced_haploid for f in files),
    )


def comparison_table(real: CohortSummary, synthetic: CohortSummary) -> str:
    lines = [f"{'statistic':44s} {'real':>12s} {'synthetic':>12s}"]
    for (label, real_value), (_, synthetic_value) in zip(
        real.rows(), synthetic.rows(), strict=True
    ):
        lines.append(f"{label:44s} {_number(real_value):>12s} {_number(synthetic_value):>12s}")
    lines.append(
        f"{'synthetic samples':44s} {'':>12s} {synthetic.samples:>12d}"
        f"  (sd of calls per sample {synthetic.calls_per_sample_sd:.0f})"
    )
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def summarize_paths(paths: Iterable[Path]) -> CohortSummary:
    return summarize([read_file_statistics(path) for path in paths])
