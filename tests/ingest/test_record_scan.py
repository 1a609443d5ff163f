"""The compiled record scanner (_record_scan.c) against the reference Python parser.

Both paths must give the same batches, the same statistics and the same error, for every
file: the fixtures, the real HG00096 file, and generated files that mix every column value
the parser knows with values it must refuse. tests/ingest/test_vcf.py runs its rules on
both paths too.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnvbeacon.ingest import vcf
from cnvbeacon.ingest._record_scan import RecordScanner
from cnvbeacon.ingest.vcf import VcfFormatError, read_vcf
from cnvbeacon.shared.reference.chromosomes import PSEUDOAUTOSOMAL_REGIONS
from tests.conftest import HG00096_VCF
from tests.ingest.conftest import DATA_DIR


@dataclass(frozen=True)
class Pass:
    """Everything one pass over a file shows: its batches, counts and the error that ended
    it, if any (the batches before an error were handed out too)."""

    batches: list[list[dict[str, Any]]]
    stats: tuple[int, int, int, dict[str, int]]
    error: str | None


def one_pass(path: Path, *, compiled: bool, batch_size: int = 1000, **options: Any) -> Pass:
    batches: list[list[dict[str, Any]]] = []
    try:
        reader = read_vcf(
            path,
            dataset_id="ds",
            job_id="job",
            batch_size=batch_size,
            compiled=compiled,
            **options,
        )
    except VcfFormatError as error:
        return Pass([], (0, 0, 0, {}), str(error))
    error = None
    try:
        for batch in reader:
            batches.append(list(batch))
    except VcfFormatError as raised:
        error = str(raised)
    stats = reader.stats
    counts = (
        stats.records_read,
        stats.calls_produced,
        stats.records_skipped,
        dict(stats.skipped_by_reason),
    )
    return Pass(batches, counts, error)


def assert_same_pass(path: Path, **options: Any) -> Pass:
    compiled = one_pass(path, compiled=True, **options)
    reference = one_pass(path, compiled=False, **options)
    assert compiled == reference
    return compiled


@pytest.mark.parametrize("name", sorted(p.name for p in DATA_DIR.iterdir()))
def test_every_fixture_gives_the_same_pass(name: str) -> None:
    options: dict[str, Any] = {}
    if name == "generic_sv.multisample.vcf":
        options["assembly"] = "GRCh38"  # its header names no assembly
    assert_same_pass(DATA_DIR / name, **options)


def test_hg00096_gives_the_same_pass_in_small_batches() -> None:
    result = assert_same_pass(HG00096_VCF, batch_size=7)
    assert sum(len(batch) for batch in result.batches) == 591
    assert {len(batch) for batch in result.batches[:-1]} == {7}


def test_the_reader_uses_the_compiled_scanner_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[RecordScanner] = []

    def counting(**options: Any) -> RecordScanner:
        scanner = RecordScanner(**options)
        made.append(scanner)
        return scanner

    monkeypatch.setattr(vcf, "RecordScanner", counting)
    reader = read_vcf(HG00096_VCF, dataset_id="ds", job_id="job")
    assert sum(len(batch) for batch in reader) == 591
    assert len(made) == 1


# -- generated files -------------------------------------------------------------------------

GRCH38_HEADER_CONTIGS = (
    "##contig=<ID=chr1,length=248956422>\n"
    "##contig=<ID=chrX,length=156040895>\n"
    "##contig=<ID=chrY,length=57227415>\n"
    "##contig=<ID=chrUn_KI270302v1,length=2274>\n"
)
PAR1_END = PSEUDOAUTOSOMAL_REGIONS["GRCh38"]["X"][0][1]

# Values of each column as DRAGEN and other callers write them, then values the parser must
# refuse (each drawn rarely, so that most files yield calls before any error). Some valid
# values are left by the compiled path to the Python code (" 7", "1_0": Python's float()
# reads them), which must still give the same documents.
CHROMS = (["chr1", "chrX", "chrY", "1", "X", "chr2"], ["chrQ", "chr1é", "chrUn_KI270302v1"])
POSITIONS = (
    ["1000", "2650427", str(PAR1_END - 600), "007", "0"],
    ["12a", "", "9" * 25, "٣"],
)
IDS = (
    [
        ".",
        ".",
        "DRAGEN:LOSS:chr1:1001-2000",
        "DRAGEN:GAIN:chr1:1001-2000",
        "DRAGEN:LOSS:chr1:1001-2000",
        "DRAGEN:GAIN:chr1:1001-2000",
        "DRAGEN:GAINLOH:chr1:1-2",
        "DRAGEN:REF:chr1:1-2",
        "DRAGEN:CNLOH:chr1:1-2",
        "DRAGEN:",
        "DRAGEN:OTHER",
        "cnv_17",
    ],
    ["cnv_é"],
)
REFS = (["N", "A", "AT"], ["N"])
ALTS = (
    [
        *["<DEL>", "<DUP>", "<CNV>", "<CN0>", "<CN0>,<CN2>,<CN3>", "<DEL>,<DUP>"] * 3,
        "<DEL>",
        "<DUP>",
        "<CNV>",
        ".",
        "<*>",
        "<NON_REF>",
        "<CN0>",
        "<CN0>,<CN2>,<CN3>",
        "<DEL>,<DUP>",
        "A",
        "AT",
        "<INS>",
        "<INS:ME:ALU>",
        "<INV>",
        "N[chr1:5[",
        "<DEL>,A",
    ],
    ["<DEL>"],
)
QUALS = (["12", "3.5e1", ".", "", "-1", "+4.", " 7", "1_0"], ["1e400", "nan", "inf", "x", "1e"])
FILTERS = (["PASS", ".", "cnvQual", "cnvQual;cnvBinSupportRatio", "LowQ;PASS"], ["PASS"])
FORMATS = (["GT:SM:CN:BC:PE", "GT:CN", "CN:GT", "GT", "CN", "SM", "GT:SM:CN"], ["GT:CN"])
GENOTYPES = (
    ["0/1", "1/1", "./1", "1", "0|1", "1|2", "./.", ".", "0/0", "0", "1/0"],
    ["2/3", "x/1"],
)
COPY_NUMBERS = (["0", "1", "2", "3", "5", ".", "2.5", "", "1e1"], ["abc", "inf"])
COPY_RATIOS = (["0.5", "1.00369e-09", ".", "", "-0.0", "2", "1_0", " 3"], ["inf", "nan", "abc"])


def mostly(values: tuple[list[str], list[str]]) -> st.SearchStrategy[str]:
    """A valid value 24 times in 25, else one the parser refuses (a value listed more than
    once is drawn more often)."""
    valid, invalid = values
    # Not integers(0, 24): Hypothesis draws the bounds of a range far more often.
    return st.sampled_from([*(valid * 24), *(invalid * len(valid))])


@st.composite
def info_columns(draw: st.DrawFn, pos_text: str) -> str:
    pos = int(pos_text) if pos_text.isascii() and pos_text.isdigit() else 1000
    end = draw(
        mostly(
            (
                [str(pos + draw(st.integers(1, 3_000_000))), str(pos + 1)],
                [str(pos), str(max(pos - 5, 0)), "abc", "", "3" * 20],
            )
        )
    )
    parts = []
    if draw(st.booleans()):
        parts.append(f"SVTYPE={draw(st.sampled_from(['CNV', 'DEL', 'DUP', 'INV', '']))}")
    placement = draw(
        mostly((["first", "first", "after", "reflen", "suffix", "svlen"], ["none", "bad svlen"]))
    )
    if placement == "first":
        parts.insert(0, f"END={end}")
    elif placement == "after":
        parts.append(f"END={end}")
    elif placement == "svlen":
        parts.append(f"SVLEN={draw(st.sampled_from(['-1000', '500', '-3,4']))}")
    elif placement == "bad svlen":
        parts.append(f"SVLEN={draw(st.sampled_from(['.', 'x']))}")
    elif placement == "reflen":
        parts.append("REFLEN=2000")
    elif placement == "suffix":
        parts.extend([f"SVEND={end}", f"END={end}"])
    return ";".join(parts) or "."


@st.composite
def sample_values(draw: st.DrawFn, format_text: str) -> str:
    values = {
        "GT": draw(mostly(GENOTYPES)),
        "CN": draw(mostly(COPY_NUMBERS)),
        "SM": draw(mostly(COPY_RATIOS)),
        "BC": "12",
        "PE": "3,4",
    }
    keys = format_text.split(":")
    # Trailing values may be dropped, as the VCF specification allows.
    kept = draw(st.integers(1, len(keys)))
    return ":".join(values[key] for key in keys[:kept])


@st.composite
def records(draw: st.DrawFn, sample_count: int) -> str:
    pos = draw(mostly(POSITIONS))
    columns = [
        draw(mostly(CHROMS)),
        pos,
        draw(mostly(IDS)),
        draw(mostly(REFS)),
        draw(mostly(ALTS)),
        draw(mostly(QUALS)),
        draw(mostly(FILTERS)),
        draw(info_columns(pos)),
    ]
    if sample_count:
        format_text = draw(mostly(FORMATS))
        columns.append(format_text)
        columns.extend(draw(sample_values(format_text)) for _ in range(sample_count))
    shape = draw(mostly((["as is", "as is", "as is", "empty line"], ["short", "long"])))
    if shape == "short":
        columns.pop()
    elif shape == "long":
        columns.append("extra")
    elif shape == "empty line":
        return ""
    return "\t".join(columns)


@st.composite
def dragen_records(draw: st.DrawFn, sample_count: int) -> str:
    """A DRAGEN 3.x record as the 1kGP files have them, with random numbers."""
    chrom = draw(st.sampled_from(["chr1", "chr2", "chrX", "chrY"]))
    pos = draw(st.integers(1, 3_000_000))
    end = pos + draw(st.integers(1, 2_000_000))
    loss = draw(st.booleans())
    event, alt = ("LOSS", "<DEL>") if loss else ("GAIN", "<DUP>")
    columns = [
        chrom,
        str(pos),
        f"DRAGEN:{event}:{chrom}:{pos + 1}-{end}",
        "N",
        alt,
        str(draw(st.integers(0, 150))),
        draw(st.sampled_from(["PASS", "cnvQual", "cnvLength;cnvQual"])),
        f"SVTYPE=CNV;END={end};REFLEN={end - pos}",
        "GT:SM:CN:BC:PE",
    ]
    for _ in range(sample_count):
        genotype = draw(st.sampled_from(["0/1", "1/1", "1"] if loss else ["./1", "1"]))
        ratio = draw(st.floats(1e-9, 4.0))
        copies = draw(st.integers(0, 1) if loss else st.integers(3, 8))
        columns.append(f"{genotype}:{ratio:.6g}:{copies}:12:3,4")
    return "\t".join(columns)


@st.composite
def vcf_files(draw: st.DrawFn) -> tuple[str, dict[str, dict[str, str]]]:
    sample_count = draw(st.sampled_from([1, 2, 1, 3, 1, 0]))
    samples = [f"S{i}" for i in range(sample_count)]
    metadata = {
        name: {"sex": draw(st.sampled_from(["male", "female", "unknown"]))}
        for name in samples
        if draw(st.booleans())
    }
    header = "##fileformat=VCFv4.2\n" + GRCH38_HEADER_CONTIGS
    if draw(st.booleans()):
        header += '##DRAGENCommandLine=<ID=dragen,CommandLineOptions="--sample-sex male">\n'
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if sample_count or draw(st.booleans()):
        columns.append("FORMAT")
    header += "\t".join(columns + samples) + "\n"
    # Few distinct records, repeated: the compiled path then meets values both in and out of
    # the caches, and after records with other values (its memo of the last values).
    pool = draw(
        st.lists(
            st.one_of(dragen_records(sample_count), records(sample_count)),
            min_size=1,
            max_size=6,
        )
    )
    body = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=40))
    return header + "".join(f"{line}\n" for line in body), metadata


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=vcf_files(), batch_size=st.sampled_from([1, 3, 1000]))
def test_generated_files_give_the_same_pass(
    tmp_path: Path, generated: tuple[str, dict[str, dict[str, str]]], batch_size: int
) -> None:
    text, metadata = generated
    path = tmp_path / "generated.vcf.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert_same_pass(path, batch_size=batch_size, sample_metadata=metadata, assembly="GRCh38")


def test_generated_files_reach_both_documents_and_errors(tmp_path: Path) -> None:
    """The strategy is worth its cost only if it makes calls and also hits errors."""
    outcomes = {"calls": 0, "errors": 0, "fallback-only values": 0}

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(generated=vcf_files())
    def count(generated: tuple[str, dict[str, dict[str, str]]]) -> None:
        text, metadata = generated
        path = tmp_path / "count.vcf"
        path.write_text(text)
        result = one_pass(path, compiled=True, sample_metadata=metadata, assembly="GRCh38")
        outcomes["calls"] += sum(len(batch) for batch in result.batches)
        outcomes["errors"] += result.error is not None

    count()
    assert outcomes["calls"] > 150
    assert outcomes["errors"] > 10


# -- the pieces the compiled path computes itself --------------------------------------------


@pytest.mark.parametrize(
    ("length", "width"),
    [(1, 1), (9, 1), (10, 2), (99, 2), (100, 3), (999_999_999, 9), (10**9, 10), (10**12, 13)],
)
def test_length_class_is_computed_as_in_python(tmp_path: Path, length: int, width: int) -> None:
    """Lengths around each power of ten, on a contig of unknown length (no limit)."""
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n##contig=<ID=scaffold7>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    )
    line = f"scaffold7\t10\t.\tN\t<DEL>\t5\tPASS\tEND={10 + length}\tGT:CN\t0/1:1\n"
    path = tmp_path / "lengths.vcf"
    path.write_text(header + line)
    result = assert_same_pass(path, assembly="GRCh38")
    (document,) = result.batches[0]
    assert document["length"] == length
    assert document["length_class"] == min(width - 1, 9)


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
def test_the_pseudoautosomal_boundary_is_drawn_as_in_python(tmp_path: Path, offset: int) -> None:
    """Male chrX calls whose midpoint lies just inside or just outside PAR1."""
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=chrX,length=156040895>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    )
    start = PAR1_END + offset - 500
    # CN 1 without GT: a loss on the diploid PAR, copy-neutral on the haploid rest.
    line = f"chrX\t{start}\t.\tN\t<CNV>\t5\tPASS\tEND={start + 1000 + offset % 2}\tCN\t1\n"
    path = tmp_path / "par.vcf"
    path.write_text(header + line)
    result = assert_same_pass(path, assembly="GRCh38", sample_metadata={"S1": {"sex": "male"}})
    midpoint = (start + start + 1000 + offset % 2) // 2
    stored = sum(len(batch) for batch in result.batches)
    assert stored == (1 if midpoint < PAR1_END else 0)
