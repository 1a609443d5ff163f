"""Synthetic cohort files: the real DRAGEN layout, labelled synthetic, parsed exactly as written
by pysam and by the ingest parser, deterministic, with population structure."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pysam
import pytest

from bench.cohort.calls import FILTERS, GENOTYPES, generate_sample_calls
from bench.cohort.catalogue import KNOWN_LOCI
from bench.cohort.generate import (
    METADATA,
    Cohort,
    CohortSpec,
    cohort_model,
    generate_cohort,
    reusable_cohort,
)
from bench.cohort.genome import CHROMOSOMES
from bench.cohort.reference_profile import REFERENCE_VCF
from bench.cohort.samples import cohort_samples, real_samples
from bench.cohort.vcf_format import SYNTHETIC_HEADER_KEY
from tests.bench.conftest import COHORT_SEED

REAL_FIRST_RECORD = (
    "chr1\t2650427\tDRAGEN:LOSS:chr1:2650428-2651463\tN\t<DEL>\t48\tcnvLength\t"
    "SVTYPE=CNV;END=2651463;REFLEN=1036\tGT:SM:CN:BC:PE\t1/1:1.00369e-09:0:1:51,519"
)


def text_of(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines()


def header_of(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("#")]


def test_the_header_is_the_real_one_plus_the_synthetic_line(small_cohort: Cohort) -> None:
    real = header_of(text_of(REFERENCE_VCF))
    row = small_cohort.manifest_rows()[0]
    synthetic = header_of(text_of(small_cohort.directory / row["file"]))
    assert synthetic[0] == "##fileformat=VCFv4.2"
    assert synthetic[1].startswith(f"{SYNTHETIC_HEADER_KEY}=<ID=cnvbeacon,")
    assert f"Seed={COHORT_SEED}" in synthetic[1]
    assert "SYNTHETIC" in synthetic[1]
    assert len(synthetic) == len(real) + 1
    for real_line, line in zip(real, [synthetic[0], *synthetic[2:]], strict=True):
        if real_line.startswith("##DRAGENCommandLine"):
            assert f"--sample-sex {row['sex']}" in line
            assert f"--output-directory /output/{row['sample']} " in line
        elif real_line.startswith("#CHROM"):
            assert line == real_line.replace("HG00096", row["sample"])
        else:
            assert line == real_line


def test_records_have_the_real_layout(small_cohort: Cohort) -> None:
    real_fields = REAL_FIRST_RECORD.split("\t")
    for path in small_cohort.vcf_paths()[:10]:
        for line in text_of(path):
            if line.startswith("#"):
                continue
            fields = line.split("\t")
            assert len(fields) == len(real_fields)
            chrom, pos, vcf_id, ref, alt, quality, filters, info, format_, sample = fields
            end = int(info.split(";")[1].removeprefix("END="))
            event = "LOSS" if alt == "<DEL>" else "GAIN"
            assert vcf_id == f"DRAGEN:{event}:{chrom}:{int(pos) + 1}-{end}"
            assert (ref, format_) == ("N", real_fields[8])
            assert info == f"SVTYPE=CNV;END={end};REFLEN={end - int(pos)}"
            assert quality.isdigit()
            assert filters in FILTERS
            genotype, ratio, copies, bins, paired_ends = sample.split(":")
            assert genotype in GENOTYPES
            assert float(ratio) >= 0
            assert int(bins) >= 1
            assert all(part.isdigit() for part in paired_ends.split(","))
            if copies == "0":
                assert genotype in ("1/1", "1")


def test_zero_copy_ratios_are_written_like_dragen(small_cohort: Cohort) -> None:
    ratios = [
        line.split("\t")[9].split(":")[1]
        for path in small_cohort.vcf_paths()[:20]
        for line in text_of(path)
        if not line.startswith("#") and line.split("\t")[9].split(":")[2] == "0"
    ]
    assert "1.00369e-09" in ratios


def test_pysam_reads_every_record(small_cohort: Cohort) -> None:
    for row in small_cohort.manifest_rows()[:10]:
        with pysam.VariantFile(str(small_cohort.directory / row["file"])) as vcf:
            records = list(vcf)
            assert list(vcf.header.samples) == [row["sample"]]
        assert len(records) == int(row["calls"])
        assert all(record.info["SVTYPE"] == "CNV" for record in records)


def test_the_ingest_parser_reads_exactly_the_calls_written(small_cohort: Cohort) -> None:
    vcf = pytest.importorskip("cnvbeacon.ingest.vcf")
    model = cohort_model(COHORT_SEED, REFERENCE_VCF)
    samples = {s.sample_id: s for s in cohort_samples(small_cohort.samples)}
    for row in small_cohort.manifest_rows()[:8]:
        path = small_cohort.directory / row["file"]
        reader = vcf.read_vcf(path, dataset_id="synthetic", job_id="test")
        documents = [document for batch in reader for document in batch]
        written = generate_sample_calls(model, samples[row["sample"]])
        header_lines = len(header_of(text_of(path)))
        assert len(documents) == len(written) == int(row["calls"])
        assert reader.stats.records_skipped == 0
        for index, document in enumerate(documents):
            assert document["chrom"] == CHROMOSOMES[written.chrom[index]]
            assert (document["start"], document["end"]) == (
                written.start[index],
                written.end[index],
            )
            assert document["variant_type"] == ("DEL" if written.is_loss[index] else "DUP")
            assert document["copy_number"] == written.copy_number[index]
            assert document["genotype"] == GENOTYPES[written.genotype[index]]
            assert document["copy_ratio"] == float(f"{written.copy_ratio[index]:g}")
            assert document["quality"] == written.quality[index]
            assert document["filters"] == [FILTERS[written.filter[index]]]
            assert document["is_pass"] == (written.filter[index] == 0)
            assert document["source_line"] == header_lines + index + 1
            assert document["biosample_id"] == row["sample"]


def test_manifest_and_sample_table_carry_the_synthetic_flag(small_cohort: Cohort) -> None:
    metadata = json.loads((small_cohort.directory / METADATA).read_text())
    assert metadata["synthetic"] is True
    assert "SYNTHETIC" in metadata["description"]
    with small_cohort.sample_table.open() as handle:
        samples = list(csv.DictReader(handle, delimiter="\t"))
    rows = small_cohort.manifest_rows()
    assert list(rows[0])[:5] == ["sample", "file", "sex", "population", "superpopulation"]
    assert {row["synthetic"] for row in rows} == {"true"} == {s["synthetic"] for s in samples}
    assert [row["sample"] for row in rows] == [s["sample"] for s in samples]
    assert sum(int(row["calls"]) for row in rows) == metadata["calls"]


def test_samples_are_real_1kgp_identities() -> None:
    real = {s.sample_id: s for s in real_samples()}
    assert len(real) == 3202
    chosen = cohort_samples(100)
    assert all(real[s.sample_id] == s for s in chosen)
    assert len({s.population for s in chosen}) == 26
    assert {s.sex for s in chosen} == {"female", "male"}


def test_beyond_3202_synthetic_ids_reuse_the_population_structure() -> None:
    samples = cohort_samples(3202 + 3210)
    extra = samples[3202:]
    assert [s.sample_id for s in extra[:2]] == ["SYN000001", "SYN000002"]
    assert all(s.synthetic_id for s in extra)
    assert not any(s.synthetic_id for s in samples[:3202])
    assert len({s.sample_id for s in samples}) == len(samples)
    assert [(s.population, s.sex) for s in extra[:3202]] == [
        (s.population, s.sex) for s in samples[:3202]
    ]


def test_a_sample_file_depends_only_on_seed_and_sample(
    small_cohort: Cohort, tmp_path: Path
) -> None:
    spec = CohortSpec(samples=30, seed=COHORT_SEED, directory=tmp_path / "again", jobs=2)
    again = generate_cohort(spec).cohort
    ours = {row["sample"]: row["file"] for row in small_cohort.manifest_rows()}
    shared = [row for row in again.manifest_rows() if row["sample"] in ours]
    assert shared
    for row in shared:
        assert (again.directory / row["file"]).read_bytes() == (
            small_cohort.directory / ours[row["sample"]]
        ).read_bytes()
    other = generate_cohort(CohortSpec(samples=30, seed=COHORT_SEED + 1, directory=tmp_path / "o"))
    first = other.cohort.manifest_rows()[0]["file"]
    assert (other.cohort.directory / first).read_bytes() != (again.directory / first).read_bytes()


def test_a_matching_cohort_is_reused_and_a_different_one_is_not(tmp_path: Path) -> None:
    spec = CohortSpec(samples=3, seed=5, directory=tmp_path)
    generate_cohort(spec)
    assert reusable_cohort(spec) is not None
    assert reusable_cohort(CohortSpec(samples=4, seed=5, directory=tmp_path)) is None
    assert reusable_cohort(CohortSpec(samples=3, seed=6, directory=tmp_path)) is None
    next(iter((tmp_path / "vcf").iterdir())).unlink()
    assert reusable_cohort(spec) is None


def test_known_loci_have_population_specific_frequencies() -> None:
    model = cohort_model(COHORT_SEED, REFERENCE_VCF)
    catalogue = model.catalogue
    ugt2b17 = catalogue.locus_ids.index("UGT2B17-deletion")
    east_asian = [
        catalogue.deletion_frequency[i, ugt2b17]
        for i, superpopulation in enumerate(catalogue.population_superpopulation)
        if superpopulation == "EAS"
    ]
    african = [
        catalogue.deletion_frequency[i, ugt2b17]
        for i, superpopulation in enumerate(catalogue.population_superpopulation)
        if superpopulation == "AFR"
    ]
    assert min(east_asian) > 0.6 > 0.4 > max(african)
    assert len(KNOWN_LOCI) <= catalogue.size


def test_carriers_of_a_population_specific_locus_cluster_in_that_population() -> None:
    model = cohort_model(COHORT_SEED, REFERENCE_VCF)
    locus = model.catalogue.locus_ids.index("UGT2B17-deletion")
    share = {}
    for superpopulation in ("EAS", "AFR"):
        samples = [s for s in real_samples() if s.superpopulation == superpopulation][::8]
        carriers = [np.any(generate_sample_calls(model, s).locus == locus) for s in samples]
        share[superpopulation] = sum(carriers) / len(carriers)
    # Deletion-haplotype frequencies ~0.85 and ~0.22: carriers 1-(1-p)^2 ~ 0.98 and ~0.39.
    assert share["EAS"] > 0.9
    assert share["AFR"] < 0.6


def test_common_loci_are_shared_with_jittered_breakpoints(small_cohort: Cohort) -> None:
    model = cohort_model(COHORT_SEED, REFERENCE_VCF)
    starts: dict[int, set[int]] = {}
    private = total = 0
    for sample in cohort_samples(40):
        calls = generate_sample_calls(model, sample)
        private += int(np.sum(calls.locus == -1))
        total += len(calls)
        for locus, start in zip(calls.locus.tolist(), calls.start.tolist(), strict=True):
            if locus >= 0:
                starts.setdefault(locus, set()).add(start)
    shared = [found for found in starts.values() if len(found) >= 5]
    assert len(shared) > 100
    # Carriers of one locus rarely share a breakpoint exactly, as with read-depth callers.
    assert np.mean([len(found) for found in shared]) > 4
    assert 0.05 < private / total < 0.35
