"""python -m bench.cohort --samples N --seed S -o DIR: write a synthetic DRAGEN CNV cohort."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from bench.cohort.generate import CohortSpec, generate_cohort
from bench.cohort.reference_profile import REFERENCE_VCF
from bench.cohort.statistics import comparison_table, summarize_paths

MAX_SAMPLES = 100_000
COMPARED_FILES = 500


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cohort",
        description="Write a SYNTHETIC 1000 Genomes DRAGEN 3.5.7b CNV cohort: one bgzipped VCF "
        "per sample, a batch manifest, a sample table, the shared loci and cohort.json.",
    )
    parser.add_argument("--samples", type=int, required=True, help=f"1 to {MAX_SAMPLES:,}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=REFERENCE_VCF,
        help="the real single-sample DRAGEN CNV VCF whose statistics to match",
    )
    parser.add_argument("--tabix-index", action="store_true", help="write a .tbi per file")
    parser.add_argument(
        "--compare",
        action="store_true",
        help=f"print statistics of (up to {COMPARED_FILES}) written files next to the reference's",
    )
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.samples <= MAX_SAMPLES:
        parser.error(f"--samples must be between 1 and {MAX_SAMPLES:,}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    spec = CohortSpec(
        samples=arguments.samples,
        seed=arguments.seed,
        directory=arguments.output,
        reference=arguments.reference,
        jobs=arguments.jobs,
        tabix_index=arguments.tabix_index,
    )
    report = generate_cohort(spec)
    cohort = report.cohort
    print(
        f"wrote {cohort.samples:,} synthetic VCFs ({cohort.calls:,} calls) to {cohort.directory} "
        f"in {report.seconds:.1f} s: {report.samples_per_second:,.0f} samples/s, "
        f"{cohort.calls / report.seconds:,.0f} calls/s, {spec.jobs} process(es)"
    )
    if arguments.compare:
        paths = cohort.vcf_paths()
        chosen = np.linspace(0, len(paths) - 1, min(len(paths), COMPARED_FILES)).round()
        synthetic = summarize_paths(paths[int(i)] for i in sorted(set(chosen)))
        print(comparison_table(summarize_paths([arguments.reference]), synthetic))
    return 0


if __name__ == "__main__":
    sys.exit(main())
