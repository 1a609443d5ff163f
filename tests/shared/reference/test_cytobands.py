import itertools

import pytest

from cnvbeacon.shared.reference.chromosomes import chromosome_length, chromosomes
from cnvbeacon.shared.reference.cytobands import (
    GenomicRegion,
    band_at,
    bands,
    cytoband_label,
    cytoband_region,
)

STAINS = {"gneg", "gpos25", "gpos50", "gpos75", "gpos100", "acen", "gvar", "stalk"}


def _band(chrom: str, name: str, assembly: str = "GRCh38") -> tuple[int, int]:
    (found,) = [b for b in bands(chrom, assembly) if b.band == name]
    return found.start, found.end


def test_single_band_coordinates_from_the_table() -> None:
    assert cytoband_region("1q21.1", "GRCh38") == GenomicRegion("1", 143_200_000, 147_500_000)
    assert cytoband_region("1q21.1", "GRCh37") == GenomicRegion("1", 142_600_000, 147_000_000)
    assert cytoband_region("22q11.21", "hg38") == ("22", 17_400_000, 21_700_000)


def test_band_prefix_covers_its_sub_bands() -> None:
    start, _ = _band("1", "q21.1")
    _, end = _band("1", "q21.3")
    assert cytoband_region("1q21", "GRCh38") == ("1", start, end)
    # q11.22 refines to q11.221, q11.222 and q11.223, not to q11.23
    _chrom, start, end = cytoband_region("Yq11.22", "GRCh38")
    assert (start, end) == (_band("Y", "q11.221")[0], _band("Y", "q11.223")[1])


@pytest.mark.parametrize(
    "notation", ["8q21q24.1", "8q21-q24.1", "8q21-8q24.1", "chr8q21\u2013q24.1", "8Q21 - Q24.1"]
)
def test_band_range(notation: str) -> None:
    expected = ("8", _band("8", "q21.11")[0], _band("8", "q24.13")[1])
    assert cytoband_region(notation, "GRCh38") == expected


def test_band_range_written_backwards_gives_the_same_span() -> None:
    assert cytoband_region("8q24.1q21", "GRCh38") == cytoband_region("8q21q24.1", "GRCh38")


def test_whole_arm_includes_the_centromeric_band() -> None:
    q_start, _ = _band("1", "q11")
    assert cytoband_region("1q", "GRCh38") == ("1", q_start, chromosome_length("1", "GRCh38"))
    _, p_end = _band("17", "p11.1")
    assert cytoband_region("17p", "GRCh38") == ("17", 0, p_end)


@pytest.mark.parametrize(
    ("notation", "chrom"),
    [("Xp11.2", "X"), ("xp11.2", "X"), ("chr1q21", "1"), ("CHR17p13.1", "17")],
)
def test_spellings(notation: str, chrom: str) -> None:
    assert cytoband_region(notation, "GRCh38").chrom == chrom


@pytest.mark.parametrize("notation", ["1", "chrX", "22", "MT"])
def test_chromosome_alone_is_not_a_cytoband(notation: str) -> None:
    with pytest.raises(ValueError, match="is a chromosome, not a cytoband"):
        cytoband_region(notation, "GRCh38")


@pytest.mark.parametrize(
    ("notation", "message"),
    [
        ("1q99", "unknown cytoband 1q99"),
        ("1q21.9", "unknown cytoband 1q21.9"),
        ("8q21q99", "unknown cytoband 8q99"),
        ("8q21-9q22", "spans two chromosomes"),
        ("23q11", "unknown chromosome"),
        ("1r21", "cannot read"),
        ("BRCA1", "cannot read"),
        ("", "cannot read"),
    ],
)
def test_bad_notations(notation: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cytoband_region(notation, "GRCh38")


@pytest.mark.parametrize("assembly", ["GRCh38", "GRCh37"])
def test_bands_tile_each_chromosome(assembly: str) -> None:
    total = 0
    for chrom in chromosomes(assembly):
        chrom_bands = bands(chrom, assembly)
        total += len(chrom_bands)
        if chrom == "M":
            assert chrom_bands == []
            continue
        assert chrom_bands[0].start == 0
        assert chrom_bands[-1].end == chromosome_length(chrom, assembly)
        assert all(a.end == b.start for a, b in itertools.pairwise(chrom_bands))
        assert {b.stain for b in chrom_bands} <= STAINS
    assert total == 862


def test_band_label_and_stain() -> None:
    first = bands("chr1", "GRCh38")[0]
    assert (first.label, first.stain) == ("1p36.33", "gneg")
    assert any(b.stain == "stalk" for b in bands("13", "GRCh38"))


def test_band_at_boundaries_are_half_open() -> None:
    start, end = _band("1", "q21.1")
    assert band_at("1", start, "GRCh38") == "1q21.1"
    assert band_at("chr1", end - 1, "GRCh38") == "1q21.1"
    assert band_at("1", start - 1, "GRCh38") == "1q12"
    assert band_at("1", 0, "GRCh38") == "1p36.33"
    last = chromosome_length("Y", "GRCh38") - 1
    assert band_at("Y", last, "GRCh38") == "Yq12"
    assert band_at("M", 100, "GRCh38") is None


@pytest.mark.parametrize("position", [-1, 248_956_422])
def test_band_at_outside_the_chromosome(position: int) -> None:
    with pytest.raises(ValueError, match="outside chromosome 1"):
        band_at("1", position, "GRCh38")


def test_cytoband_label_of_regions() -> None:
    region = cytoband_region("1q21", "GRCh38")
    assert cytoband_label(*region, "GRCh38") == "1q21.1q21.3"
    assert cytoband_label(*cytoband_region("1q21.1", "GRCh38"), "GRCh38") == "1q21.1"
    assert cytoband_label("M", 0, 10, "GRCh38") is None
    with pytest.raises(ValueError, match="empty region"):
        cytoband_label("1", 10, 10, "GRCh38")
