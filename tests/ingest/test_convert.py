"""`cnvb convert`: every output format, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from cnvbeacon.ingest.cli import main
from cnvbeacon.ingest.convert import (
    BED_COLUMNS,
    PGXSEG_COLUMNS,
    TSV_COLUMNS,
    convert_files,
)
from cnvbeacon.ingest.vcf import VcfFormatError
from cnvbeacon.shared.formats import LOG2_LIMIT
from tests.conftest import HG00096_VCF
from tests.gateway.schema_validation import GENOMIC_VARIATION, validate

FixturePath = Callable[[str], Path]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["convert", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_beacon_json_lines_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([str(HG00096_VCF), "--to", "beacon", "--dataset", "1kgp"], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 591
    for record in records:
        validate(record, GENOMIC_VARIATION)
    first = records[0]
    assert first["variation"]["subject"]["interval"]["start"]["value"] == 2650427
    assert first["caseLevelData"][0]["id"].startswith("1kgp:cb6943415bb9eeac:47:")
    assert "591 records, 591 calls written, 0 records skipped" in err


def test_beacon_json_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath
) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run_cli(
        [
            str(fixture_vcf("dragen4.hs37d5.cnv.vcf")),
            "--to",
            "beacon",
            "--json-array",
            "-o",
            str(target),
        ],
        capsys,
    )
    assert (code, out) == (0, "")
    records = json.loads(target.read_text())
    assert [r["variation"]["subject"]["sequence_id"] for r in records] == [
        "refseq:NC_000001.10",
        "refseq:NC_000023.10",
        "refseq:NC_000023.10",
        "refseq:NC_000023.10",
        "refseq:NC_000024.9",
        "GRCh37:M",
    ]
    for record in records:
        validate(record, GENOMIC_VARIATION)


def test_an_empty_json_array_is_still_json(fixture_vcf: FixturePath) -> None:
    out = io.StringIO()
    convert_files([fixture_vcf("header_only.vcf")], out, to="beacon", json_array=True)
    assert json.loads(out.getvalue()) == []


def test_pgxseg(capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath) -> None:
    code, out, _ = run_cli([str(fixture_vcf("dragen3.10.hg38.cnv.vcf")), "--to", "pgxseg"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "#meta=>dataset_id=local;assembly_id=GRCh38",
        "#sample=>biosample_id=NA12878;individual_id=NA12878",
        "\t".join(PGXSEG_COLUMNS),
    ]
    rows = [line.split("\t") for line in lines[3:]]
    assert len(rows) == 5
    assert rows[0] == [
        # log2(0.058) = -4.1 is clamped to -LOG2_LIMIT, as Progenetix clamps log2.
        "NA12878", "1", "2650427", "2653075", f"{-LOG2_LIMIT:.4f}", "DEL", ".", ".",
        "EFO:0030069", "complete genomic deletion",
    ]  # fmt: skip
    assert rows[1][4:] == [
        f"{math.log2(3.18):.4f}",
        "DUP",
        ".",
        ".",
        "EFO:0030072",
        "high-level copy number gain",
    ]
    assert rows[4][1:4] == ["M", "100", "1100"]


def test_pgxseg_without_copy_ratio_and_with_groups(fixture_vcf: FixturePath) -> None:
    out = io.StringIO()
    convert_files(
        [fixture_vcf("phase3_cn_alleles.vcf")],
        out,
        to="pgxseg",
        sample_metadata={"HG00096": {"population": "GBR"}},
    )
    lines = out.getvalue().splitlines()
    assert lines[1] == (
        "#sample=>biosample_id=HG00096;individual_id=HG00096;group_id=GBR;group_label=GBR"
    )
    assert lines[2] == "#sample=>biosample_id=HG00097;individual_id=HG00097"
    assert lines[4].split("\t")[4] == "."


def test_bed(tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath) -> None:
    target = tmp_path / "calls.bed"
    code, _, _ = run_cli(
        [str(fixture_vcf("dragen4.hs37d5.cnv.vcf")), "--to", "bed", "-o", str(target)], capsys
    )
    assert code == 0
    lines = target.read_text().splitlines()
    assert lines[0] == "#" + "\t".join(BED_COLUMNS)
    rows = [line.split("\t") for line in lines[1:]]
    assert rows[0] == [
        "chr1", "3000000", "3100000", "NA24385:DUP", "45", ".", "3", "1.5", "DUP",
        "EFO:0030071", "NA24385", "PASS",
    ]  # fmt: skip
    assert [row[0] for row in rows] == ["chr1", "chrX", "chrX", "chrX", "chrY", "chrM"]
    # MT call: FILTER cnvLength, QUAL 20.
    assert (rows[-1][4], rows[-1][-1]) == ("20", "cnvLength")
    assert all(len(row) == len(BED_COLUMNS) for row in rows)


def test_bed_score_is_capped_and_missing_values_are_dots(
    fixture_vcf: FixturePath, tmp_path: Path
) -> None:
    path = tmp_path / "q.vcf"
    header = fixture_vcf("header_only.vcf").read_text()
    path.write_text(
        header
        + "chr1\t100\t.\tN\t<DUP>\t5000\t.\tEND=900\tGT\t0/1\n"
        + "chr1\t1000\t.\tN\t<DUP>\t.\tPASS\tEND=1900\tGT\t0/1\n"
    )
    out = io.StringIO()
    convert_files([path], out, to="bed")
    rows = [line.split("\t") for line in out.getvalue().splitlines()[1:]]
    assert [(r[4], r[6], r[7], r[11]) for r in rows] == [
        ("1000", ".", ".", "."),
        ("0", ".", ".", "PASS"),
    ]


def test_tsv(capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath) -> None:
    code, out, _ = run_cli(
        [
            str(fixture_vcf("generic_sv.multisample.vcf")),
            "--to",
            "tsv",
            "--assembly",
            "hg38",
            "--dataset",
            "demo",
        ],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert list(rows[0]) == list(TSV_COLUMNS)
    # 14, not the 13 of the parser test: without sample metadata S2 is not known to be male,
    # so CN 1 on X counts as a loss for it too.
    assert len(rows) == 14
    second = rows[2]  # sv2: no QUAL, no FILTER, copy number unknown
    assert {k: second[k] for k in ("chrom", "start", "end", "variant_type", "quality",
                                   "filters", "copy_number", "is_pass", "sex")} == {
        "chrom": "1", "start": "30000", "end": "35000", "variant_type": "DUP",
        "quality": ".", "filters": ".", "copy_number": ".", "is_pass": "false", "sex": ".",
    }  # fmt: skip
    assert rows[0]["id"].split(":")[::2] == ["demo", "15"]
    assert rows[0]["assembly"] == "GRCh38"


def test_several_files_go_into_one_output(
    capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath
) -> None:
    code, out, err = run_cli(
        [
            str(fixture_vcf("dragen2.hs37d5.cnv.vcf")),
            str(fixture_vcf("dragen4.hs37d5.cnv.vcf")),
            "--to",
            "tsv",
        ],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert [row["biosample_id"] for row in rows] == ["NA12878"] * 4 + ["NA24385"] * 6
    assert "2 files, 12 records, 10 calls written, 2 records skipped" in err


def test_files_on_different_assemblies_are_refused(
    capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath
) -> None:
    code, out, err = run_cli(
        [str(fixture_vcf("dragen2.hs37d5.cnv.vcf")), str(HG00096_VCF), "--to", "bed"], capsys
    )
    assert (code, out) == (2, "")
    assert "is on GRCh38 but dragen2.hs37d5.cnv.vcf is on GRCh37" in err


def test_a_bad_file_exits_2_with_its_message(
    capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath
) -> None:
    code, _, err = run_cli([str(fixture_vcf("bad_end_before_pos.vcf")), "--to", "bed"], capsys)
    assert code == 2
    assert err == "cnvb convert: bad_end_before_pos.vcf line 13: END (100) is before POS (200)\n"


def test_a_failed_conversion_leaves_no_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_vcf: FixturePath
) -> None:
    target = tmp_path / "out.tsv"
    target.write_text("previous\n")
    code, _, _ = run_cli(
        [str(fixture_vcf("bad_cn_not_numeric.vcf")), "--to", "tsv", "-o", str(target)], capsys
    )
    assert code == 2
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"]


def test_a_contradicting_assembly_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli([str(HG00096_VCF), "--to", "tsv", "--assembly", "hg19"], capsys)
    assert code == 2
    assert "assembly hg19 was given, but the ##contig lengths are those of GRCh38" in err


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli([str(tmp_path / "nope.vcf"), "--to", "tsv"], capsys)
    assert code == 2
    assert "No such file" in err


def test_json_array_needs_beacon(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli([str(HG00096_VCF), "--to", "bed", "--json-array"], capsys)
    assert code == 2
    assert "--json-array needs --to beacon" in err
    with pytest.raises(ValueError, match="only written with --to beacon"):
        convert_files([HG00096_VCF], io.StringIO(), to="tsv", json_array=True)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["convert", str(HG00096_VCF)], ["convert", str(HG00096_VCF), "--to", "xml"], []):
        with pytest.raises(SystemExit) as raised:
            main(argv)
        assert raised.value.code == 2
    capsys.readouterr()


def test_conversion_raises_format_errors_for_library_callers(fixture_vcf: FixturePath) -> None:
    with pytest.raises(VcfFormatError, match="unknown contig"):
        convert_files([fixture_vcf("bad_unknown_contig.vcf")], io.StringIO(), to="beacon")
