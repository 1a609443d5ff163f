"""A dataset's calls as compact columns: exact counts over any window and filter, and the
calls themselves.

Counting big ranges on the store is O(n) (count_documents, or reading every call), and
SecantusDB reads ~20-25k documents/s, so a 2 Mb window of 5,000 calls takes ~250 ms to read.
So each dataset has a summary: per chromosome, numpy columns of every stored call field
(about 160 bytes a call: 2M calls take ~320 MB), sorted by (start, end, id), with
repetitive strings as codes and ids as one text buffer. Evaluating a lookup on it is a few
vectorised passes over the candidate rows; it gives every count exactly (calls, distinct
variants (chromosome, start, end, type), biosamples, individuals) and renders the matching
calls as the store would return them (see summary_calls), without a store read.

Built from the store by summary_build and kept current by summaries (data_version).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.calls import CallLookup

Int64s = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Int8s = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.intp]

# Field -> column of codes; each has a vocabulary whose code 0 stands for a missing value.
CODED_FIELDS: Final = (
    "efo_id",
    "biosample_id",
    "individual_id",
    "sex",
    "population",
    "superpopulation",
    "assembly",
    "genotype",
    "zygosity_id",
    "filters",  # coded as the names joined by FILTER_SEPARATOR
)
FILTER_SEPARATOR: Final = ";"  # separates FILTER names in a VCF, so never part of one
# Fields of (nearly) unique strings, kept as TextColumns.
TEXT_FIELDS: Final = ("_id", "vcf_id")
# Optional numbers, NaN standing for a missing value.
FLOAT_FIELDS: Final = ("copy_number", "copy_ratio", "quality")
_POSITION_BITS: Final = 30  # packed variant keys: start << 32 | end << 2 | type (end < 2**30)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    values: tuple[str | None, ...]  # values[0] is None
    # The values as an object array, so that decoding codes is one take in C.
    decoder: npt.NDArray[np.object_] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        decoder = np.empty(len(self.values), dtype=np.object_)
        decoder[:] = self.values
        object.__setattr__(self, "decoder", decoder)

    def codes_of(self, allowed: Iterable[str]) -> Int32s:
        index = {value: code for code, value in enumerate(self.values) if value is not None}
        return np.array([index[v] for v in allowed if v in index], dtype=np.int32)

    def decode(self, codes: Int32s) -> list[str | None]:
        decoded: list[str | None] = self.decoder[codes].tolist()
        return decoded


@dataclass(frozen=True, slots=True)
class TextColumn:
    """Strings as one UTF-8 buffer and offsets (a str object per call would take ~3x the
    memory); `missing` marks rows without a value."""

    data: bytes
    offsets: Int64s  # row i is data[offsets[i]:offsets[i + 1]]
    missing: Bools

    @classmethod
    def of(cls, values: Sequence[str | None]) -> TextColumn:
        encoded = [b"" if v is None else v.encode() for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        missing = np.fromiter((v is None for v in values), dtype=np.bool_, count=len(values))
        return cls(b"".join(encoded), offsets, missing)

    @classmethod
    def concatenate(cls, parts: Sequence[TextColumn]) -> TextColumn:
        offsets = [np.zeros(1, dtype=np.int64)]
        base = 0
        for part in parts:
            offsets.append(part.offsets[1:] + base)
            base += len(part.data)
        missing = [p.missing for p in parts] or [np.zeros(0, dtype=np.bool_)]
        data = b"".join(p.data for p in parts)
        return cls(data, np.concatenate(offsets), np.concatenate(missing))

    def slice(self, rows: slice) -> TextColumn:
        first, last = int(self.offsets[rows.start]), int(self.offsets[rows.stop])
        return TextColumn(
            self.data[first:last],
            self.offsets[rows.start : rows.stop + 1] - first,
            self.missing[rows],
        )

    def values(self, rows: Rows) -> list[str | None]:
        data = self.data
        return [
            None if missing else data[first:last].decode()
            for first, last, missing in zip(
                self.offsets[rows].tolist(),
                self.offsets[rows + 1].tolist(),
                self.missing[rows].tolist(),
                strict=True,
            )
        ]


@dataclass(frozen=True, slots=True)
class ChromColumns:
    """One chromosome's calls of one dataset, sorted by (start, end, id)."""

    start: Int64s
    end: Int64s
    length: Int64s
    length_class: Int8s  # as stored on the call (the overlap index's field)
    variant_type: Int32s  # index into VARIANT_TYPES
    is_pass: Bools
    copy_number: Floats  # NaN when the call has none (so are the other FLOAT_FIELDS)
    copy_ratio: Floats
    quality: Floats
    codes: Mapping[str, Int32s]  # CODED_FIELDS -> codes
    texts: Mapping[str, TextColumn]  # TEXT_FIELDS -> values
    longest: int
    # Distinct variants: their packed (start, end, type) keys, sorted, and each row's index
    # into them, so that counting a selection's variants is linear.
    variant_keys: Int64s = field(init=False)
    variant: Int32s = field(init=False)

    def __post_init__(self) -> None:
        packed = pack_variant_keys(self.start, self.end, self.variant_type)
        distinct, index = np.unique(packed, return_inverse=True)
        object.__setattr__(self, "variant_keys", distinct)
        object.__setattr__(self, "variant", index.astype(np.int32))

    def __len__(self) -> int:
        return len(self.start)


def pack_variant_keys(start: Int64s, end: Int64s, variant_type: Int32s) -> Int64s:
    """One integer per (start, end, type) that sorts like the tuple (needs end < 2**30)."""
    packed: Int64s = (start << (_POSITION_BITS + 2)) | (end << 2) | variant_type.astype(np.int64)
    return packed


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    dataset_id: str
    data_version: int
    # When the build began reading calls: jobs started later may have changed them.
    read_from: datetime
    chroms: Mapping[str, ChromColumns]
    vocabularies: Mapping[str, Vocabulary]

    @property
    def calls(self) -> int:
        return sum(len(columns) for columns in self.chroms.values())

    def select(self, lookup: CallLookup) -> Rows:
        """Rows of chroms[lookup.chrom] matching the lookup, in (start, end, id) order."""
        columns = self.chroms.get(lookup.chrom)
        if columns is None:
            return np.empty(0, dtype=np.intp)
        bounds = lookup.window.start_range(columns.longest)
        if bounds is None:
            return np.empty(0, dtype=np.intp)
        first, last = np.searchsorted(columns.start, bounds, side="left")
        part = slice(int(first), int(last))
        mask = lookup.window.accepts_arrays(columns.start[part], columns.end[part])
        filters = lookup.filters
        if filters.efo_ids is not None:
            mask &= self._among(columns, "efo_id", filters.efo_ids, part)
        if filters.min_length is not None:
            mask &= columns.length[part] >= filters.min_length
        if filters.max_length is not None:
            mask &= columns.length[part] <= filters.max_length
        # NaN (no copy number) fails both comparisons, as a missing value does in the scan.
        if filters.min_copy_number is not None:
            mask &= columns.copy_number[part] >= filters.min_copy_number
        if filters.max_copy_number is not None:
            mask &= columns.copy_number[part] <= filters.max_copy_number
        if filters.pass_only:
            mask &= columns.is_pass[part]
        for name, allowed in filters.attribute_sets():
            if allowed is not None:
                mask &= self._among(columns, name, allowed, part)
        return np.flatnonzero(mask) + int(first)

    def _among(
        self, columns: ChromColumns, name: str, allowed: Iterable[str], part: slice
    ) -> Bools:
        return np.isin(columns.codes[name][part], self.vocabularies[name].codes_of(allowed))


@dataclass(frozen=True, slots=True)
class Selection:
    """The rows of one dataset's chromosome that match one lookup."""

    summary: DatasetSummary
    chrom: str
    rows: Rows

    @property
    def columns(self) -> ChromColumns:
        return self.summary.chroms[self.chrom]


def select(summaries: Mapping[str, DatasetSummary], lookup: CallLookup) -> list[Selection]:
    return [
        Selection(summaries[d], lookup.chrom, summaries[d].select(lookup))
        for d in lookup.dataset_ids
        if lookup.chrom in summaries[d].chroms
    ]


def variant_keys(selections: Sequence[Selection]) -> Int64s:
    """Sorted distinct (start, end, type) keys of the selected calls of one chromosome,
    packed into one integer that sorts like the tuple."""
    parts = []
    for selection in selections:
        columns = selection.columns
        marks = np.zeros(len(columns.variant_keys), dtype=np.bool_)
        marks[columns.variant[selection.rows]] = True
        parts.append(columns.variant_keys[marks])
    if not parts:
        return np.empty(0, dtype=np.int64)
    if len(parts) == 1:
        return parts[0]
    return np.unique(np.concatenate(parts))


def key_starts(keys: Int64s) -> Int64s:
    return keys >> (_POSITION_BITS + 2)


def call_starts(selections: Sequence[Selection]) -> Int64s:
    """Sorted starts of the selected calls of one chromosome."""
    starts = [s.columns.start[s.rows] for s in selections]
    return np.sort(np.concatenate(starts)) if starts else np.empty(0, dtype=np.int64)


def fits_packed_keys(end: int) -> bool:
    return end < 1 << _POSITION_BITS
