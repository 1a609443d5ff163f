"""Stored calls -> Beacon v2 genomicVariations records with VRS 1.3 variations."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cnvbeacon.shared.vocabulary import CNV_TERMS, Direction, classify_copy_number
from cnvbeacon.shared.vrs import (
    REFSEQ_CHROMOSOMES,
    copy_change,
    genomic_variation,
    genomic_variation_of_calls,
    sequence_id,
)
from tests.gateway.schema_validation import (
    GENOMIC_VARIATION,
    ValidationError,
    validate,
    validation_errors,
)

SEQINFO = Path("/work/shared/data/reference")


def a_call(**changes: Any) -> dict[str, Any]:
    call: dict[str, Any] = {
        "_id": "ds:0123456789abcdef:47:0",
        "dataset_id": "ds",
        "assembly": "GRCh38",
        "chrom": "1",
        "start": 2650427,
        "end": 2651463,
        "length": 1036,
        "length_class": 3,
        "variant_type": "DEL",
        "efo_id": "EFO:0030069",
        "copy_number": 0.0,
        "copy_ratio": 1.00369e-09,
        "genotype": "1/1",
        "zygosity_id": "GENO:0000136",
        "quality": 48.0,
        "filters": ["cnvLength"],
        "is_pass": False,
        "vcf_id": "DRAGEN:LOSS:chr1:2650428-2651463",
        "biosample_id": "HG00096",
        "individual_id": "HG00096",
        "sex": "male",
        "population": "GBR",
        "superpopulation": "EUR",
        "file_digest": "0123456789abcdef" * 4,
        "job_id": "job-1",
        "source_line": 47,
    }
    call.update(changes)
    return call


def test_a_call_becomes_a_copy_number_change() -> None:
    record = genomic_variation(a_call())
    assert record == {
        "variantInternalId": "GRCh38:1:2650427-2651463:EFO:0030069",
        "variation": {
            "type": "CopyNumberChange",
            "copy_change": "efo:0030069",
            "subject": {
                "type": "SequenceLocation",
                "sequence_id": "refseq:NC_000001.11",
                "interval": {
                    "type": "SequenceInterval",
                    "start": {"type": "Number", "value": 2650427},
                    "end": {"type": "Number", "value": 2651463},
                },
            },
        },
        "identifiers": {
            "variantAlternativeIds": [
                {"id": "DRAGEN:LOSS:chr1:2650428-2651463", "notes": "ID column of the source VCF"}
            ]
        },
        "caseLevelData": [
            {
                "id": "ds:0123456789abcdef:47:0",
                "biosampleId": "HG00096",
                "individualId": "HG00096",
                "zygosity": {"id": "GENO:0000136", "label": "homozygous"},
                "copyNumber": 0.0,
                "copyRatio": 1.00369e-09,
            }
        ],
    }
    validate(record, GENOMIC_VARIATION)


def test_missing_values_are_left_out() -> None:
    record = genomic_variation(
        a_call(vcf_id=None, zygosity_id=None, copy_number=None, copy_ratio=None, genotype="./1")
    )
    assert "identifiers" not in record
    assert record["caseLevelData"] == [
        {"id": "ds:0123456789abcdef:47:0", "biosampleId": "HG00096", "individualId": "HG00096"}
    ]
    validate(record, GENOMIC_VARIATION)


@pytest.mark.parametrize(
    ("direction", "copy_number", "baseline"),
    [
        (Direction.LOSS, 0.0, 2),
        (Direction.LOSS, 1.0, 2),
        (Direction.LOSS, None, 2),
        (Direction.LOSS, 1.0, 4),
        (Direction.GAIN, 3.0, 2),
        (Direction.GAIN, 4.0, 2),
        (Direction.GAIN, None, 2),
    ],
)
def test_every_term_the_parser_assigns_is_a_valid_copy_change(
    direction: Direction, copy_number: float | None, baseline: int
) -> None:
    efo_id = classify_copy_number(direction, copy_number, baseline)
    record = genomic_variation(a_call(variant_type=direction.value, efo_id=efo_id))
    assert record["variation"]["copy_change"] == efo_id.lower()
    validate(record, GENOMIC_VARIATION)


def test_unknown_direction_becomes_a_legacy_variation() -> None:
    record = genomic_variation(a_call(variant_type="CNV", efo_id="EFO:0030066", copy_number=None))
    assert record["variation"] == {
        "variantType": "CNV",
        "alternateBases": "N",
        "location": genomic_variation(a_call())["variation"]["subject"],
    }
    validate(record, GENOMIC_VARIATION)


def test_copy_change_values() -> None:
    assert copy_change("EFO:0030071") == "efo:0030071"
    # Focal amplification is more specific than VRS 1.3 allows: its parent, high-level gain.
    assert copy_change("EFO:0030073") == "efo:0030072"
    assert copy_change("EFO:0030066") is None
    assert {copy_change(term) for term in CNV_TERMS} - {None} <= {
        "efo:0030067",
        "efo:0030068",
        "efo:0030069",
        "efo:0030070",
        "efo:0030071",
        "efo:0030072",
    }


def test_the_schema_check_catches_a_wrong_record() -> None:
    """The validator is not vacuous: a copy_change VRS does not know is refused."""
    record = genomic_variation(a_call())
    record["variation"]["copy_change"] = "efo:0030066"
    with pytest.raises(ValidationError):
        validate(record, GENOMIC_VARIATION)
    record = genomic_variation(a_call())
    del record["variantInternalId"]
    assert validation_errors(record, GENOMIC_VARIATION) == [
        "<root>: 'variantInternalId' is a required property"
    ]


@pytest.mark.parametrize(
    ("assembly", "chrom", "expected"),
    [
        ("GRCh38", "1", "refseq:NC_000001.11"),
        ("GRCh38", "X", "refseq:NC_000023.11"),
        ("GRCh38", "M", "refseq:NC_012920.1"),
        ("GRCh37", "1", "refseq:NC_000001.10"),
        ("GRCh37", "Y", "refseq:NC_000024.9"),
        ("hg19", "22", "refseq:NC_000022.10"),
        # No accession known: still a CURIE, named by assembly and contig.
        ("GRCh37", "M", "GRCh37:M"),
        ("GRCh38", "1_KI270706v1_random", "GRCh38:1_KI270706v1_random"),
    ],
)
def test_sequence_ids(assembly: str, chrom: str, expected: str) -> None:
    assert sequence_id(assembly, chrom) == expected


@pytest.mark.parametrize(("assembly", "table"), [("GRCh38", "hg38"), ("GRCh37", "hg19")])
def test_refseq_accessions_match_the_seqinfo_table(assembly: str, table: str) -> None:
    path = SEQINFO / f"{table}.seqinfo.tsv"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    with path.open() as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle, delimiter="\t")}
    for chrom, accession in REFSEQ_CHROMOSOMES[assembly].items():
        aliases = rows[f"chr{chrom}"]["aliases"].split(",")
        assert accession in aliases, (assembly, chrom)
    assert set(REFSEQ_CHROMOSOMES[assembly]) >= {*(str(n) for n in range(1, 23)), "X", "Y"}


def test_carriers_of_one_variant_share_a_record() -> None:
    calls = [
        a_call(),
        a_call(
            _id="ds:0123456789abcdef:47:1",
            biosample_id="HG00097",
            individual_id="HG00097",
            zygosity_id="GENO:0000135",
            copy_number=None,
        ),
    ]
    record = genomic_variation_of_calls(calls)
    assert [case["biosampleId"] for case in record["caseLevelData"]] == ["HG00096", "HG00097"]
    assert record["caseLevelData"][1]["zygosity"] == {"id": "GENO:0000135", "label": "heterozygous"}
    assert len(record["identifiers"]["variantAlternativeIds"]) == 1
    validate(record, GENOMIC_VARIATION)


def test_calls_of_different_variants_do_not_share_a_record() -> None:
    with pytest.raises(ValueError, match="calls of different variants"):
        genomic_variation_of_calls([a_call(), a_call(end=2651464)])
    with pytest.raises(ValueError, match="at least one call"):
        genomic_variation_of_calls([])
