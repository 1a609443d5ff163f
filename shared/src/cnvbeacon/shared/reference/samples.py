"""1000 Genomes sample table (IGSR data portal export) and user-supplied sample tables.

The IGSR export lists some samples under several projects, and then joins the values of
Population name, Superpopulation name and Population elastic ID with commas, in the same
order (e.g. "Punjabi,Punjabi" / "South Asia (SGDP),South Asian Ancestry" /
"PunjabiSGDP,PJL"). We keep the 1kGP value: the one at the position whose elastic id is
the population code (PJL), else the first value. The code columns are never multi-valued.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal

from cnvbeacon.shared.reference import _files

Sex = Literal["female", "male"]
DRAGEN_COLLECTION: Final = "1000 Genomes 30x on GRCh38"

# Accepted spellings, lower-cased; "1"/"2" is the PLINK/PED coding.
_SEX_VALUES: Final[dict[str, Sex]] = {
    "female": "female",
    "f": "female",
    "2": "female",
    "male": "male",
    "m": "male",
    "1": "male",
}

# Normalised header (lower case, runs of space/underscore/hyphen -> one space) -> field.
_COLUMNS: Final[dict[str, str]] = {
    "sample": "sample_id",
    "sample name": "sample_id",
    "sample id": "sample_id",
    "sampleid": "sample_id",
    "sex": "sex",
    "gender": "sex",
    "biosample id": "biosample_id",
    "population": "population_code",
    "population code": "population_code",
    "pop": "population_code",
    "population name": "population_name",
    "superpopulation": "superpopulation_code",
    "superpopulation code": "superpopulation_code",
    "super population": "superpopulation_code",
    "super pop": "superpopulation_code",
    "superpop": "superpopulation_code",
    "superpopulation name": "superpopulation_name",
    "population elastic id": "population_elastic_id",
    "data collections": "data_collections",
}
_REQUIRED: Final = ("sample_id", "sex")
_HEADER_SEPARATORS: Final = re.compile(r"[\s_-]+")


@dataclass(frozen=True, slots=True)
class SampleRecord:
    sample_id: str
    sex: Sex
    biosample_id: str | None
    population_code: str | None
    population_name: str | None
    superpopulation_code: str | None
    superpopulation_name: str | None


@dataclass(frozen=True, slots=True)
class _IgsrRow:
    record: SampleRecord
    collections: frozenset[str]


def load_1kgp_samples(collection: str | None = DRAGEN_COLLECTION) -> list[SampleRecord]:
    """Samples of one IGSR data collection (default: the 3,202 DRAGEN samples), or every
    sample of the table when collection is None. Unknown collection -> ValueError."""
    rows = _igsr_rows()
    if collection is None:
        return [row.record for row in rows]
    selected = [row.record for row in rows if collection in row.collections]
    if not selected:
        known = sorted({name for row in rows for name in row.collections})
        raise ValueError(f"no IGSR data collection {collection!r}; known: {', '.join(known)}")
    return selected


@cache
def _igsr_rows() -> tuple[_IgsrRow, ...]:
    with _files.open_data(_files.IGSR_SAMPLES) as handle:
        return tuple(_parse_rows(handle, source=_files.IGSR_SAMPLES))


def read_sample_table(path: str | Path) -> list[SampleRecord]:
    """Parse a sample table file (see parse_sample_table)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return [row.record for row in _parse_rows(handle, source=str(path))]


def parse_sample_table(text: str, *, source: str = "sample table") -> list[SampleRecord]:
    """Parse a user's sample table: the IGSR export format, or a TSV/CSV with columns
    sample, sex and optionally population, superpopulation (header names case-insensitive;
    "Sample name", "sample_id" and the other IGSR names work too).

    Sex is female/male, F/M or PED 1 (male)/2 (female). Raises ValueError naming the line
    of a bad row: missing value, unknown sex, duplicate sample.
    """
    return [row.record for row in _parse_rows(io.StringIO(text.lstrip("\ufeff")), source=source)]


def _parse_rows(lines: Iterable[str], *, source: str) -> list[_IgsrRow]:
    numbered = enumerate(lines, start=1)
    first_nonblank = next(((n, line) for n, line in numbered if line.strip()), None)
    if first_nonblank is None:
        raise ValueError(f"{source}: empty, expected a header line")
    header_line_number, header_line = first_nonblank
    delimiter = "\t" if "\t" in header_line else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    fields = [_COLUMNS.get(_normalise_header(name)) for name in header]
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise ValueError(
            f"{source} line {header_line_number}: no {' or '.join(missing)} column in header "
            f"{header!r}; expected e.g. sample, sex, population, superpopulation"
        )
    rows: list[_IgsrRow] = []
    seen: dict[str, int] = {}
    reader = csv.reader((line for _, line in numbered), delimiter=delimiter)
    for cells in reader:
        # line_num counts the lines this reader consumed, so add the lines before it.
        line_number = header_line_number + reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise ValueError(
                f"{source} line {line_number}: {len(cells)} fields, header has {len(header)}"
            )
        values = {field: cell.strip() for field, cell in zip(fields, cells, strict=False) if field}
        row = _row_from_values(values, source=source, line_number=line_number)
        sample_id = row.record.sample_id
        if sample_id in seen:
            raise ValueError(
                f"{source} line {line_number}: sample {sample_id!r} already on line "
                f"{seen[sample_id]}"
            )
        seen[sample_id] = line_number
        rows.append(row)
    return rows


def _row_from_values(values: dict[str, str], *, source: str, line_number: int) -> _IgsrRow:
    sample_id = values.get("sample_id", "")
    if not sample_id:
        raise ValueError(f"{source} line {line_number}: empty sample name")
    raw_sex = values.get("sex", "")
    sex = _SEX_VALUES.get(raw_sex.lower())
    if sex is None:
        raise ValueError(
            f"{source} line {line_number}: unknown sex {raw_sex!r} for sample {sample_id!r}; "
            "expected female/male, F/M or 2/1"
        )
    population_code = values.get("population_code") or None
    elastic_ids = values.get("population_elastic_id", "").split(",")
    # Position of the 1kGP value among comma-joined multi-values (see module docstring).
    position = elastic_ids.index(population_code) if population_code in elastic_ids else 0
    record = SampleRecord(
        sample_id=sample_id,
        sex=sex,
        biosample_id=values.get("biosample_id") or None,
        population_code=population_code,
        population_name=_pick(values.get("population_name"), position),
        superpopulation_code=values.get("superpopulation_code") or None,
        superpopulation_name=_pick(values.get("superpopulation_name"), position),
    )
    collections = frozenset(
        name.strip() for name in values.get("data_collections", "").split(",") if name.strip()
    )
    return _IgsrRow(record, collections)


def _pick(cell: str | None, position: int) -> str | None:
    if not cell:
        return None
    choices = cell.split(",")
    return (choices[position] if position < len(choices) else choices[0]).strip() or None


def _normalise_header(name: str) -> str:
    return _HEADER_SEPARATORS.sub(" ", name.strip().lstrip("#").lower()).strip()
