"""Parse throughput on a synthetic DRAGEN 3.x CNV VCF (records per second, median of 3 runs).

Writes ~200k records in the format of the 1kGP DRAGEN re-analysis (HG00096) to a temporary
directory, BGZF-compressed, then times:

* pysam.VariantFile plain iteration (htslib parsing, no field access),
* pysam.VariantFile with the field access a document needs (POS, END, ALT, ID, FILTER, GT, CN, SM),
* cnvbeacon.ingest.vcf.read_vcf: bytes to finished call documents (digest given, as the
  worker does), in batches of the default size and of 5000, and with the reference Python
  path alone (compiled=False).

Usage: .venv/bin/python bench/bench_parse.py [--records N] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pysam

from cnvbeacon.ingest.assemblies import CHROMOSOME_LENGTHS, GRCH38
from cnvbeacon.ingest.vcf import DEFAULT_BATCH_SIZE, read_vcf

HEADER = """##fileformat=VCFv4.2
##ALT=<ID=CNV,Description="Copy number variant region">
##ALT=<ID=DEL,Description="Deletion relative to the reference">
##ALT=<ID=DUP,Description="Region of elevated copy number relative to the reference">
{contigs}
##INFO=<ID=REFLEN,Number=1,Type=Integer,Description="REF positions in this record">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">
##FILTER=<ID=cnvLength,Description="CNV with length below 10000">
##FILTER=<ID=cnvQual,Description="CNV with quality below 10">
##FILTER=<ID=cnvBinSupportRatio,Description="CNV with low supporting number of bins">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=SM,Number=1,Type=Float,Description="Linear copy ratio of the segment mean">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Estimated copy number">
##FORMAT=<ID=BC,Number=1,Type=Integer,Description="Number of bins in the region">
##FORMAT=<ID=PE,Number=2,Type=Integer,Description="Number of improperly paired end reads">
##DRAGENCommandLine=<ID=dragen,CommandLineOptions="--enable-cnv true --sample-sex male">
##DRAGENVersion=<ID=dragen,Version="SW: 05.021.510.3.5.7b, HW: 05.021.510">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSYN001
"""


def write_synthetic_dragen_vcf(path: Path, records: int, seed: int = 1) -> None:
    """A DRAGEN 3.x single-sample CNV VCF with ``records`` sorted, non-overlapping calls."""
    rng = random.Random(seed)
    lengths = CHROMOSOME_LENGTHS[GRCH38]
    chromosomes = [f"chr{c}" for c in lengths]
    total = sum(lengths.values())
    contig_lines = "\n".join(f"##contig=<ID=chr{c},length={n}>" for c, n in lengths.items())
    lines = [HEADER.format(contigs=contig_lines)]
    for contig in chromosomes:
        length = lengths[contig[3:]]
        count = max(1, records * length // total)
        step = length // (count + 1)
        haploid = contig in ("chrX", "chrY")
        for i in range(count):
            pos = 10_000 + i * step
            size = rng.randint(1_000, min(step - 1, 200_000))
            end = pos + size
            loss = rng.random() < 0.8
            if loss:
                copies = 0 if rng.random() < 0.3 else 1
                gt = "1" if haploid else ("1/1" if copies == 0 else "0/1")
                ratio = "1.00369e-09" if copies == 0 else f"{rng.uniform(0.3, 0.6):.6g}"
                kind, alt = "LOSS", "<DEL>"
            else:
                copies = rng.randint(2, 7) if haploid else rng.randint(3, 7)
                gt = "1" if haploid else "./1"
                ratio = f"{copies / 2:.6g}"
                kind, alt = "GAIN", "<DUP>"
            filters = "PASS" if size >= 10_000 else rng.choice(["cnvLength", "cnvQual;cnvLength"])
            lines.append(
                f"{contig}\t{pos}\tDRAGEN:{kind}:{contig}:{pos + 1}-{end}\tN\t{alt}\t"
                f"{rng.randint(3, 150)}\t{filters}\tSVTYPE=CNV;END={end};REFLEN={size}\t"
                f"GT:SM:CN:BC:PE\t{gt}:{ratio}:{copies}:{size // 1000}:"
                f"{rng.randint(0, 99)},{rng.randint(0, 99)}\n"
            )
    plain = path.with_suffix("")
    plain.write_text("".join(lines))
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()


def pysam_plain(path: Path) -> int:
    count = 0
    with pysam.VariantFile(str(path)) as vcf:
        for _ in vcf:
            count += 1
    return count


def pysam_fields(path: Path) -> int:
    count = 0
    with pysam.VariantFile(str(path)) as vcf:
        for record in vcf:
            sample = record.samples[0]
            _ = (record.chrom, record.pos, record.stop, record.id, record.alts, record.qual)
            _ = (list(record.filter), sample["GT"], sample["CN"], sample["SM"])
            count += 1
    return count


def ours(path: Path, batch_size: int = DEFAULT_BATCH_SIZE, compiled: bool = True) -> int:
    reader = read_vcf(
        path,
        dataset_id="bench",
        job_id="bench",
        file_digest="0" * 64,
        batch_size=batch_size,
        compiled=compiled,
    )
    for _ in reader:
        pass
    return reader.stats.records_read


def ours_batches_of_5000(path: Path) -> int:
    return ours(path, batch_size=5000)


def ours_reference(path: Path) -> int:
    return ours(path, compiled=False)


def median_rate(run: Callable[[Path], int], path: Path, runs: int) -> tuple[float, int]:
    rates = []
    count = 0
    for _ in range(runs):
        started = time.perf_counter()
        count = run(path)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pysam.set_verbosity(0)  # htslib would complain that the temporary file has no index
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "synthetic.dragen.cnv.vcf.gz"
        write_synthetic_dragen_vcf(path, args.records)
        print(f"synthetic DRAGEN CNV VCF: {path.stat().st_size / 1e6:.1f} MB (BGZF)")
        for label, run in (
            ("pysam.VariantFile, plain iteration", pysam_plain),
            ("pysam.VariantFile, fields a document needs", pysam_fields),
            (f"cnvbeacon read_vcf to documents, batch {DEFAULT_BATCH_SIZE}", ours),
            ("cnvbeacon read_vcf to documents, batch 5000", ours_batches_of_5000),
            ("cnvbeacon read_vcf, reference Python path", ours_reference),
        ):
            rate, count = median_rate(run, path, args.runs)
            print(f"{label:50s} {count:>8d} records  {rate:>10,.0f} records/s")


if __name__ == "__main__":
    main()
