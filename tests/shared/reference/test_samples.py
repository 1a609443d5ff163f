from collections import Counter
from pathlib import Path

import pytest

from cnvbeacon.shared.reference import _files
from cnvbeacon.shared.reference.samples import (
    DRAGEN_COLLECTION,
    SampleRecord,
    load_1kgp_samples,
    parse_sample_table,
    read_sample_table,
)


def test_dragen_collection_has_the_3202_samples() -> None:
    samples = load_1kgp_samples()
    assert len(samples) == 3_202
    assert len({s.sample_id for s in samples}) == 3_202
    assert Counter(s.sex for s in samples) == {"female": 1_603, "male": 1_599}
    assert Counter(s.superpopulation_code for s in samples) == {
        "AFR": 893,
        "AMR": 490,
        "EAS": 585,
        "EUR": 633,
        "SAS": 601,
    }
    assert len({s.population_code for s in samples}) == 26
    assert load_1kgp_samples(DRAGEN_COLLECTION) == samples


def test_multi_valued_cells_resolve_to_the_1kgp_value() -> None:
    by_id = {s.sample_id: s for s in load_1kgp_samples()}
    # source: Punjabi,Punjabi / South Asia (SGDP),South Asian Ancestry / PunjabiSGDP,PJL
    assert by_id["HG02783"] == SampleRecord(
        sample_id="HG02783",
        sex="male",
        biosample_id="SAME1839162",
        population_code="PJL",
        population_name="Punjabi",
        superpopulation_code="SAS",
        superpopulation_name="South Asian Ancestry",
    )
    # source: Kinh,Kinh Vietnamese / ... / KinhSGDP,KHV
    assert by_id["HG01600"].population_name == "Kinh Vietnamese"
    # source: Iberian,Spanish / European Ancestry,West Eurasia (SGDP) / IBS,SpanishSGDP
    assert by_id["HG01503"].population_name == "Iberian"
    assert by_id["HG01503"].superpopulation_name == "European Ancestry"


def test_each_code_has_one_name_after_resolution() -> None:
    samples = load_1kgp_samples()
    populations = {(s.population_code, s.population_name) for s in samples}
    superpopulations = {(s.superpopulation_code, s.superpopulation_name) for s in samples}
    assert len(populations) == 26
    assert superpopulations == {
        ("AFR", "African Ancestry"),
        ("AMR", "American Ancestry"),
        ("EAS", "East Asian Ancestry"),
        ("EUR", "European Ancestry"),
        ("SAS", "South Asian Ancestry"),
    }
    assert all(name is not None and "," not in name for _, name in populations)


def test_other_collections_and_the_whole_table() -> None:
    assert len(load_1kgp_samples(None)) == 4_974
    assert len(load_1kgp_samples("1000 Genomes phase 3 release")) == 3_115


def test_unknown_collection_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no IGSR data collection 'Phase 9'") as error:
        load_1kgp_samples("Phase 9")
    assert DRAGEN_COLLECTION in str(error.value)


def test_callers_get_their_own_list() -> None:
    load_1kgp_samples().clear()
    assert len(load_1kgp_samples()) == 3_202


def test_simple_csv_with_header_variants() -> None:
    text = "Sample_ID,SEX,Population,SuperPopulation\nS1,female,GBR,EUR\nS2,M,,\nS3,2,YRI,AFR\n"
    assert parse_sample_table(text) == [
        SampleRecord("S1", "female", None, "GBR", None, "EUR", None),
        SampleRecord("S2", "male", None, None, None, None, None),
        SampleRecord("S3", "female", None, "YRI", None, "AFR", None),
    ]


@pytest.mark.parametrize(
    "sample_header", ["sample", "Sample name", "sample_id", "SAMPLE-ID", "#sample"]
)
def test_sample_column_spellings(sample_header: str) -> None:
    records = parse_sample_table(f"{sample_header}\tsex\nNA12878\tF\n")
    assert [(r.sample_id, r.sex) for r in records] == [("NA12878", "female")]


def test_igsr_format_rows_parse_like_the_packaged_table() -> None:
    with _files.open_data(_files.IGSR_SAMPLES) as handle:
        lines = handle.readlines()
    header = lines[0]
    hg02783 = next(line for line in lines if line.startswith("HG02783\t"))
    (record,) = parse_sample_table("\ufeff" + header + hg02783)
    assert record == next(s for s in load_1kgp_samples() if s.sample_id == "HG02783")


def test_read_sample_table_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "samples.tsv"
    path.write_text("\ufeffsample\tsex\tpopulation\nHG00096\tmale\tGBR\n", encoding="utf-8")
    assert read_sample_table(path) == [
        SampleRecord("HG00096", "male", None, "GBR", None, None, None)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sample\tsex\nA\tF\nB\tunknown\n", "line 3: unknown sex 'unknown' for sample 'B'"),
        ("sample\tsex\n\nA\tF\n\nA\tM\n", "line 5: sample 'A' already on line 3"),
        ("sample,sex\n,F\n", "line 2: empty sample name"),
        ("sample,sex\nA,F,extra\n", "line 2: 3 fields, header has 2"),
        ("\nname\tsex\nA\tF\n", "line 2: no sample_id column"),
        ("sample\tpopulation\nA\tGBR\n", "line 1: no sex column"),
        ("", "empty, expected a header line"),
    ],
)
def test_bad_tables_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sample_table(text)


def test_line_numbers_count_quoted_multi_line_cells() -> None:
    with pytest.raises(ValueError, match="line 4: unknown sex"):
        parse_sample_table('sample,sex\n"A\nB",F\nC,X\n')
