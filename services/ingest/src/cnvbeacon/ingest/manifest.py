"""Batch manifests: one row per VCF, with its sample and optional sample attributes.

Accepted: TSV or CSV (detected from the header line), header names case-insensitive.
Required columns: a sample column (sample, sample_id, sample name) and a file column
(file, path, url, vcf). Optional: sex, population, superpopulation, assembly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

_SAMPLE = ("sample", "sample_id", "sample name", "biosample", "biosample_id")
_FILE = ("file", "path", "url", "vcf", "filename")
_SEX_VALUES = {
    "female": "female",
    "f": "female",
    "male": "male",
    "m": "male",
    "unknown": "unknown",
    "": "unknown",
    "na": "unknown",
}


class ManifestError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"manifest line {line}: {message}" if line else f"manifest: {message}")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    line: int
    sample_id: str
    file: str
    sex: str | None = None
    population: str | None = None
    superpopulation: str | None = None
    assembly: str | None = None

    def sample_metadata(self) -> dict[str, dict[str, str | None]]:
        return {
            self.sample_id: {
                "sex": self.sex,
                "population": self.population,
                "superpopulation": self.superpopulation,
            }
        }


def _column(header: list[str], names: tuple[str, ...], what: str) -> int:
    for index, name in enumerate(header):
        if name in names:
            return index
    raise ManifestError(1, f"no {what} column (expected one of: {', '.join(names)})")


def parse_manifest(text: str) -> list[ManifestRow]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ManifestError(None, "the manifest is empty")
    delimiter = "\t" if "\t" in lines[0] else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [cell.strip().lstrip("#").strip().lower() for cell in rows[0]]
    sample_at = _column(header, _SAMPLE, "sample")
    file_at = _column(header, _FILE, "file")
    optional = {
        name: header.index(name)
        for name in ("sex", "population", "superpopulation", "assembly")
        if name in header
    }
    parsed: list[ManifestRow] = []
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(header):
            raise ManifestError(number, f"{len(cells)} columns, the header has {len(header)}")
        values = {name: cells[index].strip() for name, index in optional.items()}
        sample, file = cells[sample_at].strip(), cells[file_at].strip()
        if not sample or not file:
            raise ManifestError(number, "sample and file must not be empty")
        sex = values.get("sex")
        if sex is not None:
            if sex.lower() not in _SEX_VALUES:
                raise ManifestError(number, f"unknown sex {sex!r} (use female, male or unknown)")
            sex = _SEX_VALUES[sex.lower()]
        parsed.append(
            ManifestRow(
                line=number,
                sample_id=sample,
                file=file,
                sex=sex,
                population=values.get("population") or None,
                superpopulation=values.get("superpopulation") or None,
                assembly=values.get("assembly") or None,
            )
        )
    if not parsed:
        raise ManifestError(None, "the manifest lists no files")
    return parsed
