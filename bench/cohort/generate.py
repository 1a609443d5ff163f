"""Writing a whole synthetic cohort: VCFs, batch manifest, sample table, loci, metadata.

Layout of the output directory::

    cohort.json    what this is (synthetic: true), seed, sizes, reference file digest
    manifest.tsv   sample, file, sex, population, superpopulation, synthetic, calls
    samples.tsv    sample, sex, population(+name), superpopulation(+name), synthetic
    loci.tsv       the shared CNV loci and their superpopulation frequencies (the truth)
    vcf/<sample>.synthetic.dragen-3.5.7b.hg38.cnv.vcf.gz   one per sample

Manifest paths are relative to the directory, so it can serve as the ingest inbox. Every
sample's file depends only on (seed, sample id, reference file), not on the cohort size or
the number of processes.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from bench.cohort.calls import CohortModel, generate_sample_calls
from bench.cohort.catalogue import KIND_NAMES, SUPERPOPULATIONS, Catalogue
from bench.cohort.genome import CHROMOSOMES
from bench.cohort.reference_profile import REFERENCE_VCF, load_profile
from bench.cohort.samples import CohortSample, cohort_samples
from bench.cohort.vcf_format import header_text, record_lines, write_vcf

GENERATOR_VERSION = 1
VCF_DIRECTORY = "vcf"
MANIFEST = "manifest.tsv"
SAMPLE_TABLE = "samples.tsv"
LOCI = "loci.tsv"
METADATA = "cohort.json"
SUGGESTED_DATASET_ID = "synthetic-1kgp-dragen"
STATEMENT = (
    "SYNTHETIC data: CNV calls made up by the cnvbeacon cohort generator in the format of the "
    "1000 Genomes DRAGEN 3.5.7b re-analysis. Sample ids, sex and populations are those of "
    "the real 1kGP samples (or SYN ids), but no call is a real call of any person."
)
MANIFEST_COLUMNS = ("sample", "file", "sex", "population", "superpopulation", "synthetic", "calls")
SAMPLE_COLUMNS = (
    "sample",
    "sex",
    "population",
    "population_name",
    "superpopulation",
    "superpopulation_name",
    "synthetic",
)


def vcf_name(sample_id: str) -> str:
    return f"{sample_id}.synthetic.dragen-3.5.7b.hg38.cnv.vcf.gz"


@dataclass(frozen=True)
class CohortSpec:
    samples: int
    seed: int
    directory: Path
    reference: Path = REFERENCE_VCF
    jobs: int = 1
    tabix_index: bool = False


@dataclass(frozen=True)
class Cohort:
    """A cohort on disk, as described by its cohort.json."""

    directory: Path
    metadata: dict[str, Any]

    @property
    def samples(self) -> int:
        return int(self.metadata["samples"])

    @property
    def calls(self) -> int:
        return int(self.metadata["calls"])

    @property
    def manifest(self) -> Path:
        return self.directory / MANIFEST

    @property
    def sample_table(self) -> Path:
        return self.directory / SAMPLE_TABLE

    def manifest_rows(self) -> list[dict[str, str]]:
        with self.manifest.open(newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t"))

    def vcf_paths(self) -> list[Path]:
        return [self.directory / row["file"] for row in self.manifest_rows()]


@dataclass(frozen=True)
class GenerationReport:
    cohort: Cohort
    seconds: float
    reused: bool

    @property
    def samples_per_second(self) -> float:
        return self.cohort.samples / self.seconds if self.seconds > 0 else float("inf")


def load_cohort(directory: Path) -> Cohort | None:
    path = directory / METADATA
    if not path.exists():
        return None
    return Cohort(directory, json.loads(path.read_text()))


def reusable_cohort(spec: CohortSpec) -> Cohort | None:
    """The cohort already in spec.directory if it was made with these settings and is whole."""
    cohort = load_cohort(spec.directory)
    if cohort is None:
        return None
    expected = _identity(spec)
    if any(cohort.metadata.get(key) != value for key, value in expected.items()):
        return None
    if not all(path.exists() for path in cohort.vcf_paths()):
        return None
    return cohort


def ensure_cohort(spec: CohortSpec) -> GenerationReport:
    """Reuse a matching cohort in the directory, or generate it."""
    existing = reusable_cohort(spec)
    if existing is not None:
        return GenerationReport(existing, 0.0, reused=True)
    return generate_cohort(spec)


def _identity(spec: CohortSpec) -> dict[str, Any]:
    profile = load_profile(spec.reference)
    return {
        "synthetic": True,
        "generator_version": GENERATOR_VERSION,
        "seed": spec.seed,
        "samples": spec.samples,
        "reference": {"file": profile.path.name, "sha256": profile.sha256},
    }


def generate_cohort(spec: CohortSpec) -> GenerationReport:
    started = time.perf_counter()
    directory = spec.directory
    (directory / VCF_DIRECTORY).mkdir(parents=True, exist_ok=True)
    (directory / METADATA).unlink(missing_ok=True)  # incomplete until written again
    samples = cohort_samples(spec.samples)
    calls = _write_vcfs(spec, samples)
    model = cohort_model(spec.seed, spec.reference)
    _write_manifest(directory / MANIFEST, samples, calls)
    _write_sample_table(directory / SAMPLE_TABLE, samples)
    _write_loci(directory / LOCI, model.catalogue)
    metadata = {
        **_identity(spec),
        "description": STATEMENT,
        "generator": "bench.cohort",
        "suggested_dataset_id": SUGGESTED_DATASET_ID,
        "files": len(samples),
        "calls": sum(calls),
        "loci": model.catalogue.size,
        "tabix_index": spec.tabix_index,
        "manifest": MANIFEST,
        "sample_table": SAMPLE_TABLE,
        "loci_table": LOCI,
    }
    (directory / METADATA).write_text(json.dumps(metadata, indent=2) + "\n")
    cohort = Cohort(directory, metadata)
    return GenerationReport(cohort, time.perf_counter() - started, reused=False)


@cache
def cohort_model(seed: int, reference: Path) -> CohortModel:
    """One per process and cohort: the catalogue takes a fraction of a second to build."""
    return CohortModel(load_profile(reference), seed)


def write_samples(
    seed: int, reference: Path, directory: Path, samples: Sequence[CohortSample], index: bool
) -> list[int]:
    """Write these samples' VCFs; returns their numbers of calls (records)."""
    model = cohort_model(seed, reference)
    counts = []
    for sample in samples:
        calls = generate_sample_calls(model, sample)
        header = header_text(model.profile, sample, seed=seed, version=GENERATOR_VERSION)
        path = directory / VCF_DIRECTORY / vcf_name(sample.sample_id)
        write_vcf(path, header, record_lines(calls, model.profile), index=index)
        counts.append(len(calls))
    return counts


def _write_vcfs(spec: CohortSpec, samples: list[CohortSample]) -> list[int]:
    jobs = max(1, min(spec.jobs, os.cpu_count() or 1, len(samples)))
    write = partial(write_samples, spec.seed, spec.reference.resolve(), spec.directory)
    if jobs == 1:
        return write(samples, spec.tabix_index)
    chunk = max(1, min(200, len(samples) // (jobs * 8)))
    chunks = [samples[i : i + chunk] for i in range(0, len(samples), chunk)]
    # forkserver: safe even when the caller has threads (the benchmark runs an event loop).
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(write, part, spec.tabix_index) for part in chunks]
        return [count for future in futures for count in future.result()]


def _write_tsv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _write_manifest(path: Path, samples: list[CohortSample], calls: list[int]) -> None:
    _write_tsv(
        path,
        MANIFEST_COLUMNS,
        [
            (
                sample.sample_id,
                f"{VCF_DIRECTORY}/{vcf_name(sample.sample_id)}",
                sample.sex,
                sample.population,
                sample.superpopulation,
                "true",
                count,
            )
            for sample, count in zip(samples, calls, strict=True)
        ],
    )


def sample_table_row(sample: CohortSample) -> tuple[str, ...]:
    """A sample's row of the sample table (SAMPLE_COLUMNS)."""
    return (
        sample.sample_id,
        sample.sex,
        sample.population,
        sample.population_name,
        sample.superpopulation,
        sample.superpopulation_name,
        "true",
    )


def _write_sample_table(path: Path, samples: list[CohortSample]) -> None:
    _write_tsv(path, SAMPLE_COLUMNS, [sample_table_row(s) for s in samples])


def _write_loci(path: Path, catalogue: Catalogue) -> None:
    columns = [
        "locus",
        "chrom",
        "start",
        "end",
        "kind",
        "extra_copies",
        *(f"deletion_{s}" for s in SUPERPOPULATIONS),
        *(f"duplication_{s}" for s in SUPERPOPULATIONS),
    ]
    rows = []
    for index in range(catalogue.size):
        rows.append(
            (
                catalogue.locus_ids[index],
                f"chr{CHROMOSOMES[catalogue.chrom[index]]}",
                int(catalogue.start[index]),
                int(catalogue.end[index]),
                KIND_NAMES[catalogue.kind[index]],
                int(catalogue.extra_copies[index]),
                *(f"{catalogue.superpopulation_deletion[s, index]:.4g}" for s in range(5)),
                *(f"{catalogue.superpopulation_duplication[s, index]:.4g}" for s in range(5)),
            )
        )
    _write_tsv(path, columns, rows)
