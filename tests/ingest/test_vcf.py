"""The CNV VCF parser: flavours, rules, bad input, streaming."""

from __future__ import annotations

import gzip
import hashlib
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnvbeacon.ingest import vcf_source
from cnvbeacon.ingest.vcf import (
    DEFAULT_BATCH_SIZE,
    SkipReason,
    VcfFormatError,
    VcfReader,
    read_vcf,
)
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.models import CnvCall
from tests.conftest import HG00096_VCF

FixturePath = Callable[[str], Path]

HG00096_SHA256 = "cb6943415bb9eeacd2d4c0517c34860aaf370afebdaf04d03f02e433faff7c75"
COMPLETE_DELETION = "EFO:0030069"
LOW_LEVEL_LOSS = "EFO:0030068"
LOSS = "EFO:0030067"
GAIN = "EFO:0030070"
LOW_LEVEL_GAIN = "EFO:0030071"
HIGH_LEVEL_GAIN = "EFO:0030072"
HETEROZYGOUS = "GENO:0000135"
HOMOZYGOUS = "GENO:0000136"
HEMIZYGOUS = "GENO:0000134"

MINIMAL_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr1,length=248956422>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
)


def calls_of(reader: VcfReader) -> list[dict[str, Any]]:
    return [call for batch in reader for call in batch]


def parse(path: Path, **options: Any) -> tuple[VcfReader, list[dict[str, Any]]]:
    reader = read_vcf(path, dataset_id=options.pop("dataset_id", "ds"), job_id="job-1", **options)
    return reader, calls_of(reader)


def summary(call: dict[str, Any]) -> tuple[Any, ...]:
    """The fields that the flavour rules decide."""
    return (
        call["chrom"],
        call["start"],
        call["end"],
        call["variant_type"],
        call["efo_id"],
        call["copy_number"],
        call["genotype"],
        call["zygosity_id"],
    )


@pytest.fixture(scope="module", autouse=True, params=["compiled", "reference"])
def parser_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every rule here must hold for the compiled scanner and for the reference Python code
    (read_vcf's default ``compiled=True`` switched off for the second run)."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "reference":
            assert read_vcf.__kwdefaults__ is not None
            patch.setitem(read_vcf.__kwdefaults__, "compiled", False)
        yield request.param


def write_vcf(tmp_path: Path, body: str, header: str = MINIMAL_HEADER) -> Path:
    path = tmp_path / "inline.vcf"
    path.write_text(header + body)
    return path


# -- the real 1kGP DRAGEN file -------------------------------------------------------------


@pytest.fixture(scope="module")
def hg00096(parser_path: str) -> tuple[VcfReader, list[dict[str, Any]]]:
    return parse(HG00096_VCF)


def test_hg00096_calls_match_the_file(hg00096: tuple[VcfReader, list[dict[str, Any]]]) -> None:
    reader, calls = hg00096
    assert len(calls) == 591
    assert Counter(call["variant_type"] for call in calls) == {"DEL": 472, "DUP": 119}
    assert sum(call["is_pass"] for call in calls) == 129
    assert reader.assembly == "GRCh38"
    assert (calls[0]["start"], calls[0]["end"], calls[0]["length"]) == (2650427, 2651463, 1036)
    assert reader.samples == ("HG00096",)
    assert reader.source == "DRAGEN"
    assert reader.header.source_version == "05.021.510.3.5.7b"
    assert reader.header.dragen_sample_sex == "male"


def test_hg00096_every_document_is_a_valid_cnv_call(
    hg00096: tuple[VcfReader, list[dict[str, Any]]],
) -> None:
    _, calls = hg00096
    keys = {field.alias or name for name, field in CnvCall.model_fields.items()}
    for call in calls:
        assert set(call) == keys
        CnvCall.model_validate(call)


def test_hg00096_counts_and_provenance(hg00096: tuple[VcfReader, list[dict[str, Any]]]) -> None:
    reader, calls = hg00096
    assert reader.stats.records_read == 591
    assert reader.stats.calls_produced == 591
    assert reader.stats.records_skipped == 0
    assert (
        reader.file_digest == HG00096_SHA256 == hashlib.sha256(HG00096_VCF.read_bytes()).hexdigest()
    )
    assert reader.fraction_read == 1.0
    first = calls[0]
    # The header has 46 lines, so the first record is line 47 of the decompressed text.
    assert first["source_line"] == 47
    assert first["_id"] == f"ds:{HG00096_SHA256[:16]}:47:0"
    assert first["vcf_id"] == "DRAGEN:LOSS:chr1:2650428-2651463"
    assert (first["genotype"], first["zygosity_id"]) == ("1/1", HOMOZYGOUS)
    assert (first["copy_number"], first["copy_ratio"]) == (0.0, 1.00369e-09)
    assert (first["efo_id"], first["filters"], first["quality"]) == (
        COMPLETE_DELETION,
        ["cnvLength"],
        48.0,
    )
    assert {call["chrom"] for call in calls} == {*(str(n) for n in range(1, 23)), "X", "Y"}
    assert all(call["length_class"] == length_class(call["length"]) for call in calls)


def test_hg00096_male_sex_chromosomes_use_a_haploid_baseline(
    hg00096: tuple[VcfReader, list[dict[str, Any]]],
) -> None:
    _, calls = hg00096
    on_x = {call["start"]: call for call in calls if call["chrom"] == "X"}
    # chrX 62761526 <DUP>, GT 1, CN 2: one extra copy over a haploid baseline.
    assert (on_x[62761526]["efo_id"], on_x[62761526]["zygosity_id"]) == (
        LOW_LEVEL_GAIN,
        HEMIZYGOUS,
    )
    # chrX 5137101 <DEL>, GT 1, CN 0: all of the one copy lost.
    assert on_x[5137101]["efo_id"] == COMPLETE_DELETION
    # chrX 975913 lies in PAR1, GT 0/1, CN 1: a one-copy loss from two copies.
    assert (on_x[975913]["efo_id"], on_x[975913]["zygosity_id"]) == (
        LOW_LEVEL_LOSS,
        HETEROZYGOUS,
    )
    # Male by the DRAGEN command line, but the calls' sex field only comes from metadata.
    assert {call["sex"] for call in calls} == {None}


def test_ids_are_deterministic_per_dataset_file_and_line() -> None:
    _, first = parse(HG00096_VCF)
    _, again = parse(HG00096_VCF, file_digest=HG00096_SHA256)
    _, other_dataset = parse(HG00096_VCF, dataset_id="other")
    assert [c["_id"] for c in first] == [c["_id"] for c in again]
    assert len({c["_id"] for c in first}) == len(first)
    assert all(c["_id"].startswith(f"other:{HG00096_SHA256[:16]}:") for c in other_dataset)


def test_a_given_digest_is_used_as_is() -> None:
    _, calls = parse(HG00096_VCF, file_digest="ab" * 32)
    assert calls[0]["file_digest"] == "ab" * 32
    assert calls[0]["_id"] == "ds:abababababababab:47:0"


# -- flavours --------------------------------------------------------------------------------


def test_dragen2_without_genotypes(fixture_vcf: FixturePath) -> None:
    reader, calls = parse(fixture_vcf("dragen2.hs37d5.cnv.vcf"))
    assert reader.assembly == "GRCh37"
    assert reader.header.file_format == "VCFv4.1"
    assert [summary(c) for c in calls] == [
        ("1", 1000000, 1020000, "DEL", LOW_LEVEL_LOSS, 1.0, None, None),
        ("1", 2000000, 2050000, "DUP", LOW_LEVEL_GAIN, 3.0, None, None),
        # ALT <CNV>, the ID says LOSS.
        ("2", 5000000, 5002000, "DEL", COMPLETE_DELETION, 0.0, None, None),
        # No sex known and no GT: X is taken as diploid.
        ("X", 20000000, 20100000, "DUP", LOW_LEVEL_GAIN, 3.0, None, None),
    ]
    assert calls[2]["filters"] == ["cnvQual"]
    assert calls[2]["is_pass"] is False


def test_dragen2_sex_from_metadata_sets_the_x_baseline(fixture_vcf: FixturePath) -> None:
    _, calls = parse(
        fixture_vcf("dragen2.hs37d5.cnv.vcf"), sample_metadata={"NA12878": {"sex": "male"}}
    )
    x_gain = calls[-1]
    assert (x_gain["chrom"], x_gain["efo_id"], x_gain["sex"]) == ("X", HIGH_LEVEL_GAIN, "male")


def test_dragen37_reference_segments_are_skipped(fixture_vcf: FixturePath) -> None:
    reader, calls = parse(fixture_vcf("dragen3.10.hg38.cnv.vcf"))
    assert reader.assembly == "GRCh38"
    assert reader.header.dragen_sample_sex == "female"
    assert [summary(c) for c in calls] == [
        ("1", 2650427, 2653075, "DEL", COMPLETE_DELETION, 0.0, "1/1", HOMOZYGOUS),
        ("1", 3501568, 3502568, "DUP", HIGH_LEVEL_GAIN, 6.0, "./1", None),
        ("2", 1000000, 1100000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        # Female: X is diploid.
        ("X", 50000000, 50200000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        ("M", 100, 1100, "DUP", LOW_LEVEL_GAIN, 3.0, "./1", None),
    ]
    assert calls[1]["filters"] == ["cnvQual", "cnvBinSupportRatio"]
    assert reader.stats.records_read == 7
    assert reader.stats.skipped_by_reason == {SkipReason.REF_SEGMENT: 2}
    assert reader.stats.records_skipped == 2


def test_dragen4_loh_records_and_hs37d5(fixture_vcf: FixturePath) -> None:
    reader, calls = parse(fixture_vcf("dragen4.hs37d5.cnv.vcf"))
    assert reader.source == "DRAGEN_CNV"
    assert reader.assembly == "GRCh37"
    assert reader.header.dragen_sample_sex == "male"
    assert [summary(c) for c in calls] == [
        # GAINLOH written as <DEL>,<DUP> with GT 1/2: one gain, no zygosity.
        ("1", 3000000, 3100000, "DUP", LOW_LEVEL_GAIN, 3.0, "1/2", None),
        # PAR1 of GRCh37 (60000-2699520): diploid even in a male.
        ("X", 1000000, 1050000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        ("X", 10000000, 10050000, "DEL", COMPLETE_DELETION, 0.0, "1", HEMIZYGOUS),
        ("X", 20000000, 20100000, "DUP", LOW_LEVEL_GAIN, 2.0, "1", HEMIZYGOUS),
        ("Y", 5000000, 5100000, "DUP", HIGH_LEVEL_GAIN, 3.0, "1", HEMIZYGOUS),
        ("M", 100, 500, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
    ]
    assert reader.stats.skipped_by_reason == {
        SkipReason.COPY_NEUTRAL_LOH: 1,
        SkipReason.REF_SEGMENT: 1,
    }


def test_generic_multisample_file(fixture_vcf: FixturePath) -> None:
    metadata = {
        "S1": {"sex": "female", "population": "GBR", "superpopulation": "EUR"},
        "S2": {"sex": "male", "individual_id": "IND2"},
    }
    reader, calls = parse(
        fixture_vcf("generic_sv.multisample.vcf"), assembly="hg38", sample_metadata=metadata
    )
    assert reader.assembly == "GRCh38"
    assert [(c["_id"].split(":", 2)[2], *summary(c)) for c in calls] == [
        ("15:0", "1", 10000, 20000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        ("15:1", "1", 10000, 20000, "DEL", COMPLETE_DELETION, 0.0, "1|1", HOMOZYGOUS),
        # No END: POS + SVLEN; no QUAL, no FILTER.
        ("16:0", "1", 30000, 35000, "DUP", GAIN, None, "0|1", HETEROZYGOUS),
        # GT ./. with CN: the copy number decides; S3 (CN 2) is copy-neutral.
        ("17:0", "1", 40000, 50000, "DEL", LOW_LEVEL_LOSS, 1.0, "./.", None),
        ("17:1", "1", 40000, 50000, "DUP", LOW_LEVEL_GAIN, 3.0, "./.", None),
        # A compound genotype: one call per allele, ids suffixed with the allele number.
        ("26:0:1", "1", 110000, 120000, "DEL", LOSS, None, "1/2", HETEROZYGOUS),
        ("26:0:2", "1", 110000, 120000, "DUP", GAIN, None, "1/2", HETEROZYGOUS),
        ("26:1", "1", 110000, 120000, "DUP", LOW_LEVEL_GAIN, 3.0, "0/2", HETEROZYGOUS),
        ("26:2", "1", 110000, 120000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        ("27:0", "X", 5000000, 5100000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        ("27:1", "X", 5000000, 5100000, "DEL", COMPLETE_DELETION, 0.0, "1", HEMIZYGOUS),
        ("27:2", "X", 5000000, 5100000, "DEL", LOW_LEVEL_LOSS, 1.0, "0/1", HETEROZYGOUS),
        # No GT: CN against each sample's baseline (S2 is a male: CN 1 on X is normal).
        ("28:2", "X", 5200000, 5300000, "DEL", LOW_LEVEL_LOSS, 1.0, None, None),
    ]
    assert (calls[0]["quality"], calls[2]["quality"], calls[2]["filters"]) == (50.0, None, [])
    assert (calls[0]["population"], calls[0]["superpopulation"], calls[0]["sex"]) == (
        "GBR",
        "EUR",
        "female",
    )
    assert (calls[1]["individual_id"], calls[1]["biosample_id"]) == ("IND2", "S2")
    assert (calls[12]["individual_id"], calls[12]["sex"], calls[12]["population"]) == (
        "S3",
        None,
        None,
    )
    assert reader.stats.skipped_by_reason == {
        SkipReason.COPY_NEUTRAL: 1,
        SkipReason.NO_CARRIER: 1,
        SkipReason.SNV: 1,
        SkipReason.INDEL: 1,
        SkipReason.INSERTION: 1,
        SkipReason.INVERSION: 1,
        SkipReason.BREAKEND: 1,
        SkipReason.MOBILE_ELEMENT: 1,
    }
    assert reader.stats.records_read == 14
    assert reader.stats.records_skipped == 8
    assert reader.stats.calls_produced == len(calls) == 13


def test_copy_number_alleles_are_per_haplotype(fixture_vcf: FixturePath) -> None:
    metadata = {"HG00096": {"sex": "male"}, "HG00097": {"sex": "female"}}
    reader, calls = parse(fixture_vcf("phase3_cn_alleles.vcf"), sample_metadata=metadata)
    assert reader.assembly == "GRCh37"
    assert [(c["_id"].split(":", 2)[2], *summary(c)) for c in calls] == [
        # <CN2> on one haplotype: 1 + 2 = 3 copies; on both: 4.
        ("14:0", "1", 668630, 850204, "DUP", LOW_LEVEL_GAIN, 3.0, "0|1", HETEROZYGOUS),
        ("14:1", "1", 668630, 850204, "DUP", HIGH_LEVEL_GAIN, 4.0, "1|1", HOMOZYGOUS),
        # <CN0>|<CN3>: each allele against an otherwise reference background (1 and 4 copies).
        ("15:0:1", "1", 1000000, 1010000, "DEL", LOW_LEVEL_LOSS, 1.0, "1|3", HETEROZYGOUS),
        ("15:0:3", "1", 1000000, 1010000, "DUP", HIGH_LEVEL_GAIN, 4.0, "1|3", HETEROZYGOUS),
        ("15:1", "1", 1000000, 1010000, "DEL", LOW_LEVEL_LOSS, 1.0, "0|1", HETEROZYGOUS),
        ("16:0", "1", 2000000, 2005000, "DEL", COMPLETE_DELETION, 0.0, "1|1", HOMOZYGOUS),
        # Haploid male X: <CN0> leaves no copy.
        ("18:0", "X", 3000000, 3010000, "DEL", COMPLETE_DELETION, 0.0, "1", HEMIZYGOUS),
        ("18:1", "X", 3000000, 3010000, "DUP", LOW_LEVEL_GAIN, 3.0, "0|2", HETEROZYGOUS),
    ]
    # <CN1> is the reference copy count of a haplotype.
    assert reader.stats.skipped_by_reason == {SkipReason.COPY_NEUTRAL: 1}


def test_sites_only_file_has_no_carriers(tmp_path: Path) -> None:
    header = MINIMAL_HEADER.replace("\tFORMAT\tS1", "")
    path = write_vcf(tmp_path, "chr1\t100\t.\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=900\n", header)
    reader, calls = parse(path)
    assert calls == []
    assert reader.stats.skipped_by_reason == {SkipReason.NO_CARRIER: 1}


def test_a_single_sample_without_gt_or_cn_carries_the_record(tmp_path: Path) -> None:
    path = write_vcf(tmp_path, "chr1\t100\tcnv1\tN\t<DUP>\t20\tPASS\tEND=900\tSM\t1.4\n")
    _, calls = parse(path)
    assert [summary(c) for c in calls] == [("1", 100, 900, "DUP", GAIN, None, None, None)]
    assert calls[0]["copy_ratio"] == 1.4


def test_unknown_direction_without_copy_number_is_cnv(tmp_path: Path) -> None:
    path = write_vcf(tmp_path, "chr1\t100\tcnv1\tN\t<CNV>\t20\tPASS\tSVTYPE=CNV;END=900\tGT\t0/1\n")
    _, calls = parse(path)
    assert [summary(c) for c in calls] == [
        ("1", 100, 900, "CNV", "EFO:0030066", None, "0/1", HETEROZYGOUS)
    ]


def test_end_falls_back_to_reflen(tmp_path: Path) -> None:
    path = write_vcf(tmp_path, "chr1\t100\t.\tN\t<DEL>\t20\tPASS\tREFLEN=400\tGT:CN\t0/1:1\n")
    _, calls = parse(path)
    assert (calls[0]["start"], calls[0]["end"], calls[0]["vcf_id"]) == (100, 500, None)


def test_end_is_found_after_a_key_ending_in_end(tmp_path: Path) -> None:
    path = write_vcf(tmp_path, "chr1\t100\t.\tN\t<DEL>\t20\tPASS\tCIEND=-5,5;END=700\tGT\t0/1\n")
    _, calls = parse(path)
    assert calls[0]["end"] == 700


def test_other_contigs_keep_their_name_without_chr(tmp_path: Path) -> None:
    header = MINIMAL_HEADER.replace(
        "##contig=<ID=chr1,",
        "##contig=<ID=chr1_KI270706v1_random,length=175055>\n##contig=<ID=chr1,",
    )
    path = write_vcf(
        tmp_path, "chr1_KI270706v1_random\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\tGT\t0/1\n", header
    )
    _, calls = parse(path)
    assert calls[0]["chrom"] == "1_KI270706v1_random"


def test_crlf_line_endings(tmp_path: Path, fixture_vcf: FixturePath) -> None:
    crlf = tmp_path / "crlf.vcf"
    crlf.write_bytes(fixture_vcf("dragen3.10.hg38.cnv.vcf").read_bytes().replace(b"\n", b"\r\n"))
    _, calls = parse(crlf)
    _, plain = parse(fixture_vcf("dragen3.10.hg38.cnv.vcf"))
    assert [summary(c) for c in calls] == [summary(c) for c in plain]


@given(
    pos=st.integers(min_value=0, max_value=10**8),
    length=st.integers(min_value=1, max_value=10**8),
    copies=st.sampled_from(["0", "1", "3", "4"]),
)
@settings(max_examples=50, deadline=None)
def test_coordinates_are_pos_and_end(pos: int, length: int, copies: str) -> None:
    end = pos + length
    with tempfile.TemporaryDirectory() as scratch:
        path = write_vcf(
            Path(scratch),
            f"chr1\t{pos}\t.\tN\t<CNV>\t20\tPASS\tSVTYPE=CNV;END={end}\tGT:CN\t./.:{copies}\n",
        )
        _, calls = parse(path)
    call = calls[0]
    assert (call["start"], call["end"], call["length"]) == (pos, end, length)
    assert call["length_class"] == len(str(length)) - 1
    assert call["variant_type"] == ("DEL" if int(copies) < 2 else "DUP")


# -- input forms ------------------------------------------------------------------------------


def test_plain_gzip_and_bgzf_give_the_same_calls(
    fixture_vcf: FixturePath,
    gzipped: Callable[[Path], Path],
    bgzipped: Callable[[Path], Path],
) -> None:
    source = fixture_vcf("dragen4.hs37d5.cnv.vcf")
    results = [
        calls_of(read_vcf(p, dataset_id="d", job_id="j", file_digest="0" * 64))
        for p in (source, gzipped(source), bgzipped(source))
    ]
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 6


@pytest.mark.parametrize("cut", [-1, 0, 1, 2, 3])
def test_gzip_members_may_be_split_anywhere_by_reads(
    tmp_path: Path, fixture_vcf: FixturePath, monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    """A read that ends inside the next member's magic bytes must not look like garbage."""
    text = fixture_vcf("dragen4.hs37d5.cnv.vcf").read_bytes()
    first_member = gzip.compress(text[:1500])
    path = tmp_path / "two_members.vcf.gz"
    path.write_bytes(first_member + gzip.compress(text[1500:]))
    monkeypatch.setattr(vcf_source, "READ_BYTES", len(first_member) + cut)
    _, calls = parse(path, file_digest="0" * 64)
    assert len(calls) == 6


def test_compression_is_detected_by_content_not_name(
    tmp_path: Path, fixture_vcf: FixturePath, gzipped: Callable[[Path], Path]
) -> None:
    misnamed = tmp_path / "really_gzip.vcf"
    misnamed.write_bytes(gzipped(fixture_vcf("dragen4.hs37d5.cnv.vcf")).read_bytes())
    plain_named_gz = tmp_path / "really_plain.vcf.gz"
    plain_named_gz.write_bytes(fixture_vcf("dragen4.hs37d5.cnv.vcf").read_bytes())
    assert len(parse(misnamed)[1]) == len(parse(plain_named_gz)[1]) == 6


def test_zero_records_is_not_an_error(fixture_vcf: FixturePath) -> None:
    reader, calls = parse(fixture_vcf("header_only.vcf"))
    assert calls == []
    assert list(reader) == []
    assert (reader.stats.records_read, reader.stats.calls_produced) == (0, 0)


def test_batches_are_bounded_and_stats_follow_them(tmp_path: Path) -> None:
    records = "".join(
        f"chr1\t{1000 * i}\t.\tN\t<DEL>\t20\tPASS\tEND={1000 * i + 500}\tGT:CN\t0/1:1\n"
        for i in range(1, 26)
    )
    reader = read_vcf(write_vcf(tmp_path, records), dataset_id="d", job_id="j", batch_size=10)
    seen = []
    for batch in reader:
        seen.append((len(batch), reader.stats.calls_produced, reader.stats.records_read))
    assert seen == [(10, 10, 10), (10, 20, 20), (5, 25, 25)]


def test_reading_streams_instead_of_loading_the_file(tmp_path: Path) -> None:
    records = "".join(
        f"chr1\t{100 * i}\t.\tN\t<DEL>\t20\tPASS\tEND={100 * i + 50}\tGT:CN\t0/1:1\n"
        for i in range(1, 100_001)
    )
    path = write_vcf(tmp_path, records)
    reader = read_vcf(path, dataset_id="d", job_id="j", batch_size=100)
    batches = iter(reader)
    first = next(batches)
    assert len(first) == 100
    # Only the first read chunk (1 MiB of ~6 MB) has been read when the first batch is out.
    assert reader.fraction_read < 0.5
    assert sum(len(b) for b in batches) == 100_000 - 100
    assert reader.fraction_read == 1.0


def test_iterating_again_starts_over(fixture_vcf: FixturePath) -> None:
    reader = read_vcf(fixture_vcf("dragen3.10.hg38.cnv.vcf"), dataset_id="d", job_id="j")
    assert calls_of(reader) == calls_of(reader)
    assert reader.stats.records_read == 7


def test_default_batch_size() -> None:
    assert read_vcf(HG00096_VCF, dataset_id="d", job_id="j").batch_size == DEFAULT_BATCH_SIZE


# -- assemblies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stated", "expected"),
    [("GRCh38", "GRCh38"), ("hg38", "GRCh38"), ("grch38", "GRCh38")],
)
def test_a_stated_assembly_is_normalised(stated: str, expected: str) -> None:
    assert read_vcf(HG00096_VCF, dataset_id="d", job_id="j", assembly=stated).assembly == expected


@pytest.mark.parametrize("stated", ["GRCh37", "hg19", "hs37d5"])
def test_a_stated_assembly_must_agree_with_contig_lengths(stated: str) -> None:
    with pytest.raises(VcfFormatError, match=f"assembly {stated} was given, but .* GRCh38"):
        read_vcf(HG00096_VCF, dataset_id="d", job_id="j", assembly=stated)


def test_an_unknown_assembly_name_is_refused() -> None:
    with pytest.raises(VcfFormatError, match="unsupported assembly 'T2T'"):
        read_vcf(HG00096_VCF, dataset_id="d", job_id="j", assembly="T2T")


def test_hs37d5_contig_alone_means_grch37(tmp_path: Path) -> None:
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=hs37d5,length=35477943>\n"
        + (MINIMAL_HEADER.split("\n", 2)[2])
    )
    path = write_vcf(tmp_path, "1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\tGT\t0/1\n", header)
    assert parse(path)[0].assembly == "GRCh37"


def test_reference_line_names_the_assembly_when_contigs_cannot(tmp_path: Path) -> None:
    header = (
        "##fileformat=VCFv4.2\n##reference=file:///refs/GRCh38_full_analysis_set.fa\n"
        + (MINIMAL_HEADER.split("\n", 2)[2])
    )
    path = write_vcf(tmp_path, "chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\tGT\t0/1\n", header)
    assert parse(path)[0].assembly == "GRCh38"


def test_without_any_assembly_hint_the_assembly_must_be_given(fixture_vcf: FixturePath) -> None:
    with pytest.raises(VcfFormatError, match="cannot tell the assembly") as raised:
        read_vcf(fixture_vcf("generic_sv.multisample.vcf"), dataset_id="d", job_id="j")
    assert raised.value.line is None


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("bad_end_before_pos.vcf", 13, "END (100) is before POS (200)"),
        ("bad_unknown_contig.vcf", 13, "unknown contig 'chrUn_KI270302v1'"),
        ("bad_cn_not_numeric.vcf", 13, "CN 'three' is not a number"),
        ("bad_sample_columns.vcf", 13, "expected 10 tab-separated columns"),
        ("bad_genotype.vcf", 13, "GT 'a/b' is not a genotype"),
        ("bad_no_header.vcf", 1, "no VCF header"),
        ("bad_no_chrom_line.vcf", 11, "no #CHROM header line before the first record"),
        ("bad_contig_lengths.vcf", None, "match neither GRCh38 nor GRCh37"),
        ("empty.vcf", None, "the file is empty (0 bytes)"),
    ],
)
def test_bad_input_names_file_line_and_problem(
    fixture_vcf: FixturePath, fixture: str, line: int | None, message: str
) -> None:
    with pytest.raises(VcfFormatError) as raised:
        calls_of(read_vcf(fixture_vcf(fixture), dataset_id="d", job_id="j"))
    error = raised.value
    assert (error.file, error.line) == (fixture, line)
    assert message in error.message
    where = fixture if line is None else f"{fixture} line {line}"
    assert str(error) == f"{where}: {error.message}"


def test_end_before_pos_message_is_exact(fixture_vcf: FixturePath) -> None:
    with pytest.raises(VcfFormatError) as raised:
        calls_of(read_vcf(fixture_vcf("bad_end_before_pos.vcf"), dataset_id="d", job_id="j"))
    assert str(raised.value) == "bad_end_before_pos.vcf line 13: END (100) is before POS (200)"
    assert isinstance(raised.value, ValueError)


def test_calls_before_a_bad_record_are_still_yielded(fixture_vcf: FixturePath) -> None:
    reader = read_vcf(
        fixture_vcf("bad_end_before_pos.vcf"), dataset_id="d", job_id="j", batch_size=1
    )
    batches = iter(reader)
    assert len(next(batches)) == 1
    with pytest.raises(VcfFormatError):
        next(batches)


def test_truncated_gzip(truncated_gzip: Path) -> None:
    reader = read_vcf(truncated_gzip, dataset_id="d", job_id="j")
    with pytest.raises(VcfFormatError, match="gzip data is truncated") as raised:
        calls_of(reader)
    # The line the data stops in, well after the header.
    assert (raised.value.line or 0) > 100


def test_truncated_bgzf_without_its_eof_block(
    tmp_path: Path, fixture_vcf: FixturePath, bgzipped: Callable[[Path], Path]
) -> None:
    complete = bgzipped(fixture_vcf("dragen4.hs37d5.cnv.vcf")).read_bytes()
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(complete[:-28])
    with pytest.raises(VcfFormatError, match="BGZF file is truncated"):
        read_vcf(cut, dataset_id="d", job_id="j")


def test_corrupt_gzip(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.vcf.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"not deflate data at all" * 10)
    with pytest.raises(VcfFormatError, match="gzip data is corrupt"):
        read_vcf(corrupt, dataset_id="d", job_id="j")


def test_binary_garbage(binary_garbage: Path) -> None:
    with pytest.raises(VcfFormatError, match="not a text file") as raised:
        read_vcf(binary_garbage, dataset_id="d", job_id="j")
    assert raised.value.file == "garbage.vcf"


def test_display_name_replaces_the_path_in_errors(fixture_vcf: FixturePath) -> None:
    with pytest.raises(VcfFormatError) as raised:
        read_vcf(fixture_vcf("empty.vcf"), dataset_id="d", job_id="j", display_name="HG1.vcf.gz")
    assert str(raised.value) == "HG1.vcf.gz: the file is empty (0 bytes)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=100\tGT\t0/1\n", "END (100) equals POS (100)"),
        ("chr1\tx\t.\tN\t<DEL>\t20\tPASS\tEND=100\tGT\t0/1\n", "POS 'x' is not a whole number"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=1e3\tGT\t0/1\n", "END '1e3' is not a whole number"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tSVTYPE=DEL\tGT\t0/1\n", "no END, SVLEN or REFLEN"),
        ("chr1\t100\t.\tN\t<DEL>\thigh\tPASS\tEND=900\tGT\t0/1\n", "QUAL 'high' is not a number"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\tGT:CN\t0/1:nan\n", "CN 'nan' is not a number"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\tGT\t0/2\n", "names allele 2, but ALT has 1"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=300000000\tGT\t0/1\n", "beyond the end of chr1"),
        ("chr1\t100\t.\tN\t<DEL>\t20\tPASS\tEND=900\n", "expected 10 tab-separated columns"),
    ],
)
def test_bad_records(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(VcfFormatError, match=re.escape(message)) as raised:
        calls_of(read_vcf(write_vcf(tmp_path, body), dataset_id="d", job_id="j"))
    assert raised.value.line == 4


def test_bad_header_lines(tmp_path: Path) -> None:
    for header, message in [
        ("##fileformat=BCFv2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n", "not a VCF"),
        ("##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO\n", "tab-separated"),
        (MINIMAL_HEADER.replace("FORMAT\tS1", "S1\tS2"), "9th column must be FORMAT"),
        (MINIMAL_HEADER.replace("\tS1", "\tS1\tS1"), "duplicate sample names: S1"),
        ("##fileformat=VCFv4.2\n##contig=<length=5>\n", "##contig line without an ID"),
        ("##fileformat=VCFv4.2\n", "no #CHROM header line"),
    ]:
        path = write_vcf(tmp_path, "", header)
        with pytest.raises(VcfFormatError, match=re.escape(message)):
            read_vcf(path, dataset_id="d", job_id="j", assembly="GRCh38")


def test_the_error_survives_pickling() -> None:
    error = VcfFormatError("HG1.vcf.gz", 57, "END (100) is before POS (200)")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.line, copy.message, str(copy)) == (
        "HG1.vcf.gz",
        57,
        "END (100) is before POS (200)",
        "HG1.vcf.gz line 57: END (100) is before POS (200)",
    )


def test_invalid_sex_in_metadata_is_refused() -> None:
    with pytest.raises(ValueError, match="sex must be female, male or unknown"):
        read_vcf(
            HG00096_VCF, dataset_id="d", job_id="j", sample_metadata={"HG00096": {"sex": "yes"}}
        )
