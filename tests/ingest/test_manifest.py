from __future__ import annotations

import pytest

from cnvbeacon.ingest.manifest import ManifestError, parse_manifest


def test_tsv_manifest_with_attributes() -> None:
    rows = parse_manifest(
        "Sample\tFile\tSex\tPopulation\tSuperpopulation\n"
        "HG00096\tHG00096.cnv.vcf.gz\tmale\tGBR\tEUR\n"
        "HG00097\thttps://example.org/HG00097.vcf.gz\tF\tGBR\tEUR\n"
    )
    assert [(r.sample_id, r.file, r.sex, r.line) for r in rows] == [
        ("HG00096", "HG00096.cnv.vcf.gz", "male", 2),
        ("HG00097", "https://example.org/HG00097.vcf.gz", "female", 3),
    ]
    assert rows[0].sample_metadata() == {
        "HG00096": {"sex": "male", "population": "GBR", "superpopulation": "EUR"}
    }


def test_csv_manifest_minimal_columns() -> None:
    rows = parse_manifest("sample_id,path\nNA12878,a/b.vcf\n")
    assert rows[0].sample_id == "NA12878"
    assert rows[0].sex is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", None, "empty"),
        ("sample\tfile\n", None, "no files"),
        ("name\tfile\nA\tb\n", 1, "no sample column"),
        ("sample\tfile\tsex\nA\tb\tmaybe\n", 2, "unknown sex"),
        ("sample\tfile\nA\tb\tc\n", 2, "3 columns"),
        ("sample\tfile\nA\t\n", 2, "must not be empty"),
    ],
)
def test_bad_manifests_name_the_line(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(ManifestError) as raised:
        parse_manifest(text)
    assert raised.value.line == line
    assert fragment in str(raised.value)
