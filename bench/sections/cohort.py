"""Cohort generation speed: synthetic samples per second in one process, against writing the
same bytes with BGZF alone (the floor: what any writer of these files has to do)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pysam

from bench.cohort.calls import generate_sample_calls
from bench.cohort.generate import GENERATOR_VERSION, cohort_model
from bench.cohort.reference_profile import REFERENCE_VCF
from bench.cohort.samples import cohort_samples
from bench.cohort.vcf_format import header_text, record_lines
from bench.context import BenchContext
from bench.figures import Figure
from bench.measure import Repeated

SECTION = "cohort"
MEASURED_SAMPLES = 100


async def run_section(context: BenchContext) -> list[Figure]:
    options = context.options
    cohort = context.cohort
    samples = cohort_samples(options.samples)[:MEASURED_SAMPLES]
    model = cohort_model(options.seed, REFERENCE_VCF)
    generate_rates: list[float] = []
    compress_rates: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "sample.vcf.gz"
        for _ in range(options.repeats):
            started = time.perf_counter()
            texts = []
            for sample in samples:
                calls = generate_sample_calls(model, sample)
                header = header_text(
                    model.profile, sample, seed=options.seed, version=GENERATOR_VERSION
                )
                texts.append((header + "".join(record_lines(calls, model.profile))).encode())
            generating = time.perf_counter() - started
            started = time.perf_counter()
            for text in texts:
                with pysam.BGZFile(str(target), "wb", index=None) as handle:
                    handle.write(text)
            compressing = time.perf_counter() - started
            generate_rates.append(len(samples) / (generating + compressing))
            compress_rates.append(len(samples) / compressing)
    generated = Repeated(tuple(generate_rates), len(samples))
    compressed = Repeated(tuple(compress_rates), len(samples))
    floor = Figure.of_rate(
        SECTION,
        "BGZF-write the same VCF text (floor)",
        compressed,
        "samples/s",
        note=f"{len(samples)} samples per run",
    )
    whole = context.facts.get("generation")
    note = f"whole cohort: {whole}" if whole else f"{len(samples)} samples per run, one process"
    return [
        floor,
        Figure.of_rate(
            SECTION,
            "generate + BGZF-write, one process",
            generated,
            "samples/s",
            floor=floor,
            note=note,
        ),
        Figure(
            SECTION,
            "calls per sample (cohort mean)",
            cohort.calls / cohort.samples,
            "calls",
            note=f"GENERATOR_VERSION {GENERATOR_VERSION}, seed {options.seed}",
        ),
    ]
