"""Writing a sample's calls as a DRAGEN 3.5.7b CNV VCF, byte for byte in the real layout.

The header is the reference file's, with the sample name and ``--sample-sex`` replaced in
##DRAGENCommandLine and one added line right after ##fileformat saying the file is synthetic.
Records: ``chrN POS DRAGEN:LOSS:chrN:POS+1-END N <DEL> QUAL FILTER
SVTYPE=CNV;END=..;REFLEN=.. GT:SM:CN:BC:PE ...``, SM printed like DRAGEN (%g).
"""

from __future__ import annotations

from pathlib import Path

import pysam

from bench.cohort import genome
from bench.cohort.calls import FILTERS, GENOTYPES, SampleCalls
from bench.cohort.reference_profile import ReferenceProfile
from bench.cohort.samples import CohortSample
from cnvbeacon.ingest.vcf_header import SYNTHETIC_HEADER_KEY as INGEST_SYNTHETIC_KEY

SYNTHETIC_HEADER_KEY = f"##{INGEST_SYNTHETIC_KEY}"  # the line the ingest service looks for
CONTIG_NAMES = tuple(f"chr{chrom}" for chrom in genome.CHROMOSOMES)


def synthetic_header_line(seed: int, sample: str, profile: ReferenceProfile, version: int) -> str:
    return (
        f"{SYNTHETIC_HEADER_KEY}=<ID=cnvbeacon,Generator=bench.cohort,Version={version},"
        f"Seed={seed},Sample={sample},Reference={profile.path.name},"
        f'Description="SYNTHETIC data made by the cnvbeacon cohort generator in the DRAGEN '
        f'3.5.7b CNV format; not real calls of any 1000 Genomes sample">'
    )


def header_text(profile: ReferenceProfile, sample: CohortSample, *, seed: int, version: int) -> str:
    lines: list[str] = []
    for line in profile.header_lines:
        if line.startswith("##DRAGENCommandLine"):
            line = profile.dragen_command_line(sample.sample_id, sample.sex)
        lines.append(line)
        if line.startswith("##fileformat"):
            lines.append(synthetic_header_line(seed, sample.sample_id, profile, version))
    columns = "\t".join(("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"))
    lines.append(f"{columns}\tFORMAT\t{sample.sample_id}")
    return "\n".join(lines) + "\n"


def record_lines(calls: SampleCalls, profile: ReferenceProfile) -> list[str]:
    paired_ends = profile.templates.paired_ends
    lines = []
    for chrom, start, end, loss, quality, filter_, genotype, ratio, copies, bins, template in zip(
        calls.chrom.tolist(),
        calls.start.tolist(),
        calls.end.tolist(),
        calls.is_loss.tolist(),
        calls.quality.tolist(),
        calls.filter.tolist(),
        calls.genotype.tolist(),
        calls.copy_ratio.tolist(),
        calls.copy_number.tolist(),
        calls.bins.tolist(),
        calls.template.tolist(),
        strict=True,
    ):
        contig = CONTIG_NAMES[chrom]
        event, allele = ("LOSS", "<DEL>") if loss else ("GAIN", "<DUP>")
        lines.append(
            f"{contig}\t{start}\tDRAGEN:{event}:{contig}:{start + 1}-{end}\tN\t{allele}\t"
            f"{quality}\t{FILTERS[filter_]}\tSVTYPE=CNV;END={end};REFLEN={end - start}\t"
            f"GT:SM:CN:BC:PE\t{GENOTYPES[genotype]}:{ratio:g}:{copies}:{bins}:"
            f"{paired_ends[template]}\n"
        )
    return lines


def write_vcf(path: Path, header: str, lines: list[str], *, index: bool) -> None:
    """BGZF-compressed, with a tabix index next to it if asked."""
    with pysam.BGZFile(str(path), "wb", index=None) as handle:
        handle.write((header + "".join(lines)).encode())
    if index:
        pysam.tabix_index(str(path), preset="vcf", force=True)
