import pytest

from cnvbeacon.shared.reference.assemblies import (
    ASSEMBLIES,
    accepted_assembly_names,
    normalise_assembly,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GRCh38", "GRCh38"),
        ("hg38", "GRCh38"),
        ("HG38", "GRCh38"),
        ("GRCh38.p13", "GRCh38"),
        ("grch38.p14", "GRCh38"),
        (" hs38DH ", "GRCh38"),
        ("GRCh37", "GRCh37"),
        ("GRCh37.p13", "GRCh37"),
        ("hg19", "GRCh37"),
        ("hs37d5", "GRCh37"),
        ("b37", "GRCh37"),
        ("human_g1k_v37", "GRCh37"),
    ],
)
def test_aliases_normalise_to_the_canonical_name(name: str, expected: str) -> None:
    assert normalise_assembly(name) == expected


@pytest.mark.parametrize(
    "name", ["hg18", "NCBI36", "GRCh39", "GRCh38.", "GRCh38.pX", "T2T-CHM13", ""]
)
def test_unknown_assembly_is_rejected_with_the_accepted_names(name: str) -> None:
    with pytest.raises(ValueError, match="unknown genome assembly") as error:
        normalise_assembly(name)
    for accepted in ("GRCh38", "hg38", "GRCh37", "hg19", "hs37d5", "b37"):
        assert accepted in str(error.value)


def test_every_accepted_name_normalises() -> None:
    for name in accepted_assembly_names():
        assert normalise_assembly(name.replace(".pN", ".p1")) in ASSEMBLIES
