"""Count summaries kept in the store, so that restarts and other replicas load them (a few
seconds) instead of reading every call again. One manifest per (dataset, data_version),
written last, and the columns in parts of at most PART_ROWS rows (well under 16 MB)."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from bson import Binary

from cnvbeacon.query.summary import (
    CODED_FIELDS,
    TEXT_FIELDS,
    ChromColumns,
    DatasetSummary,
    TextColumn,
    Vocabulary,
)
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import COUNT_SUMMARIES

PART_ROWS: Final = 40_000  # ~7 MB a part (ids included)
_COLUMNS: Final = (
    "start",
    "end",
    "length",
    "length_class",
    "variant_type",
    "is_pass",
    "copy_number",
    "copy_ratio",
    "quality",
)


def _manifest_id(dataset_id: str, version: int) -> str:
    return f"{dataset_id}|{version}"


def _part_id(dataset_id: str, version: int, chrom: str, part: int) -> str:
    return f"{dataset_id}|{version}|{chrom}|{part}"


def _pack(array: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {"dtype": array.dtype.str, "data": Binary(np.ascontiguousarray(array).tobytes())}


def _unpack(packed: dict[str, Any]) -> np.ndarray[Any, Any]:
    return np.frombuffer(packed["data"], dtype=np.dtype(packed["dtype"]))


def _pack_text(column: TextColumn) -> dict[str, Any]:
    return {
        "data": Binary(column.data),
        "offsets": _pack(column.offsets),
        "missing": _pack(column.missing),
    }


def _unpack_text(packed: dict[str, Any]) -> TextColumn:
    return TextColumn(bytes(packed["data"]), _unpack(packed["offsets"]), _unpack(packed["missing"]))


async def save_summary(db: Database, summary: DatasetSummary) -> None:
    dataset_id, version = summary.dataset_id, summary.data_version
    collection = db[COUNT_SUMMARIES]
    chroms: dict[str, dict[str, int]] = {}
    for chrom, columns in summary.chroms.items():
        parts = max(1, -(-len(columns) // PART_ROWS))
        chroms[chrom] = {"parts": parts, "longest": columns.longest}
        for part in range(parts):
            rows = slice(part * PART_ROWS, min((part + 1) * PART_ROWS, len(columns)))
            document: Document = {
                "dataset_id": dataset_id,
                "data_version": version,
                "columns": {name: _pack(getattr(columns, name)[rows]) for name in _COLUMNS},
                "codes": {f: _pack(columns.codes[f][rows]) for f in CODED_FIELDS},
                "texts": {n: _pack_text(columns.texts[n].slice(rows)) for n in TEXT_FIELDS},
            }
            part_id = _part_id(dataset_id, version, chrom, part)
            await collection.replace_one({"_id": part_id}, document, upsert=True)
    manifest = {
        "dataset_id": dataset_id,
        "data_version": version,
        "manifest": True,
        "read_from": summary.read_from,
        "chroms": chroms,
        "vocabularies": {f: list(v.values) for f, v in summary.vocabularies.items()},
    }
    await collection.replace_one({"_id": _manifest_id(dataset_id, version)}, manifest, upsert=True)
    # Older versions are useless now (a small collection: a few documents per dataset).
    await collection.delete_many({"dataset_id": dataset_id, "data_version": {"$ne": version}})


async def load_summary(db: Database, dataset_id: str, version: int) -> DatasetSummary | None:
    collection = db[COUNT_SUMMARIES]
    manifest = await collection.find_one({"_id": _manifest_id(dataset_id, version)})
    if manifest is None:
        return None
    chroms: dict[str, ChromColumns] = {}
    for chrom, layout in manifest["chroms"].items():
        ids = [_part_id(dataset_id, version, chrom, p) for p in range(layout["parts"])]
        parts = {d["_id"]: d async for d in collection.find({"_id": {"$in": ids}})}
        if len(parts) != len(ids):
            return None
        ordered = [parts[i] for i in ids]
        if any(
            set(p["columns"]) != set(_COLUMNS)
            or set(p["codes"]) != set(CODED_FIELDS)
            or set(p.get("texts", ())) != set(TEXT_FIELDS)
            for p in ordered
        ):
            return None  # written by another version of this service: rebuild
        joined = {
            name: np.concatenate([_unpack(p["columns"][name]) for p in ordered])
            for name in _COLUMNS
        }
        codes = {f: np.concatenate([_unpack(p["codes"][f]) for p in ordered]) for f in CODED_FIELDS}
        texts = {
            n: TextColumn.concatenate([_unpack_text(p["texts"][n]) for p in ordered])
            for n in TEXT_FIELDS
        }
        chroms[chrom] = ChromColumns(**joined, codes=codes, texts=texts, longest=layout["longest"])
    vocabularies = {f: Vocabulary(tuple(v)) for f, v in manifest["vocabularies"].items()}
    return DatasetSummary(dataset_id, version, manifest["read_from"], chroms, vocabularies)
