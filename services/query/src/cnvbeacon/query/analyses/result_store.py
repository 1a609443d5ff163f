"""Stored analyses: one run document per (dataset, variant) and its result tables in part
documents. All database access for analysis results lives here.

A new run writes its parts under a fresh run_id, then points the run document at them
(only if no newer data version was stored meanwhile), then removes the parts of the run it
replaced. Readers take the run document first and then its parts by _id; a reader that
finds a part gone (replaced in between) reads the run document again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pymongo.errors import DuplicateKeyError

from cnvbeacon.query.analyses.columns import (
    Table,
    concatenate,
    decode_column,
    encode_column,
    row_bytes,
    row_count,
    take,
)
from cnvbeacon.query.analyses.variants import Variant
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import ANALYSES

RUN: Final = "run"
PART: Final = "part"
# Part documents stay well under MongoDB's 16 MB document limit.
CHUNK_BYTES: Final = 4 * 1024 * 1024

WAITING: Final = "waiting"  # requested; waiting for the dataset to stop changing
RUNNING: Final = "running"
READY: Final = "ready"
FAILED: Final = "failed"


class RunReplacedError(Exception):
    """The run's parts were removed by a newer run while being read."""


@dataclass(frozen=True, slots=True)
class StoredRun:
    dataset_id: str
    variant_key: str
    run_id: str | None
    data_version: int
    computed_at: datetime | None
    seconds: float | None
    state: str
    error: str | None
    document: Document

    @property
    def has_result(self) -> bool:
        return self.run_id is not None

    @property
    def parts(self) -> dict[str, int]:
        return dict(self.document.get("parts") or {})

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.document.get("meta") or {})


def run_document_id(dataset_id: str, variant_key: str) -> str:
    return f"{dataset_id}|{variant_key}"


def _stored_run(document: Document) -> StoredRun:
    return StoredRun(
        dataset_id=document["dataset_id"],
        variant_key=document["variant_key"],
        run_id=document.get("run_id"),
        data_version=int(document.get("data_version", -1)),
        computed_at=document.get("computed_at"),
        seconds=document.get("seconds"),
        state=str(document.get("state", READY)),
        error=document.get("error"),
        document=document,
    )


async def load_run(db: Database, dataset_id: str, variant_key: str) -> StoredRun | None:
    document = await db[ANALYSES].find_one({"_id": run_document_id(dataset_id, variant_key)})
    return None if document is None else _stored_run(document)


async def list_runs(db: Database, dataset_id: str) -> list[StoredRun]:
    cursor = db[ANALYSES].find({"dataset_id": dataset_id, "kind": RUN}, {"meta": 0})
    return sorted([_stored_run(d) async for d in cursor], key=lambda r: r.variant_key)


async def record_state(
    db: Database,
    dataset_id: str,
    variant: Variant,
    state: str,
    *,
    error: str | None = None,
) -> None:
    await db[ANALYSES].update_one(
        {"_id": run_document_id(dataset_id, variant.key)},
        {
            "$set": {"state": state, "state_at": datetime.now(UTC), "error": error},
            "$setOnInsert": _identity(dataset_id, variant),
        },
        upsert=True,
    )


def _identity(dataset_id: str, variant: Variant) -> dict[str, Any]:
    return {
        "kind": RUN,
        "dataset_id": dataset_id,
        "variant_key": variant.key,
        "subset": variant.subset.describe(),
        "parameters": variant.parameters.describe(),
    }


async def save_run(
    db: Database,
    dataset_id: str,
    variant: Variant,
    data_version: int,
    tables: Mapping[str, Table],
    meta: dict[str, Any],
    seconds: float,
) -> bool:
    """Store a run's tables and make it the variant's current run. False (and nothing
    kept) when a run of a newer data version is already stored."""
    run_id = uuid.uuid4().hex
    parts = {
        name: await _write_part(db, dataset_id, run_id, name, table)
        for name, table in tables.items()
    }
    run_key = run_document_id(dataset_id, variant.key)
    current = await db[ANALYSES].find_one({"_id": run_key}, {"run_id": 1, "data_version": 1})
    previous = None if current is None else current.get("run_id")
    stored_version = -1 if current is None else int(current.get("data_version", -1))
    if previous is not None and stored_version > data_version:
        await _remove_parts(db, dataset_id, run_id)
        return False
    update = {
        "$set": {
            **_identity(dataset_id, variant),
            "run_id": run_id,
            "data_version": data_version,
            "computed_at": datetime.now(UTC),
            "seconds": seconds,
            "parts": parts,
            "meta": meta,
            "state": READY,
            "state_at": datetime.now(UTC),
            "error": None,
        }
    }
    try:
        result = await db[ANALYSES].update_one(
            {"_id": run_key, "run_id": previous}, update, upsert=True
        )
    except DuplicateKeyError:
        result = None  # another run replaced `previous` first
    if result is None:
        await _remove_parts(db, dataset_id, run_id)
        return False
    if previous is not None:
        await _remove_parts(db, dataset_id, previous)
    return True


async def _write_part(db: Database, dataset_id: str, run_id: str, name: str, table: Table) -> int:
    rows = row_count(table)
    per_chunk = max(1, CHUNK_BYTES // row_bytes(table))
    chunks = max(1, -(-rows // per_chunk))
    for chunk in range(chunks):
        piece = take(table, slice(chunk * per_chunk, (chunk + 1) * per_chunk))
        await db[ANALYSES].insert_one(
            {
                "_id": _part_id(run_id, name, chunk),
                "kind": PART,
                "dataset_id": dataset_id,
                "run_id": run_id,
                "part": name,
                "chunk": chunk,
                "columns": {column: encode_column(values) for column, values in piece.items()},
            }
        )
    return chunks


async def _remove_parts(db: Database, dataset_id: str, run_id: str) -> None:
    await db[ANALYSES].delete_many({"dataset_id": dataset_id, "kind": PART, "run_id": run_id})


def _part_id(run_id: str, name: str, chunk: int) -> str:
    return f"{run_id}|{name}|{chunk:05d}"


async def load_table(db: Database, run: StoredRun, name: str) -> Table:
    """One result table of a run; RunReplacedError if a newer run removed it meanwhile."""
    chunks = run.parts.get(name)
    if run.run_id is None or chunks is None:
        raise KeyError(f"the run has no table {name!r}")
    run_id = run.run_id
    documents = await asyncio.gather(
        *(db[ANALYSES].find_one({"_id": _part_id(run_id, name, c)}) for c in range(chunks))
    )
    tables = []
    for document in documents:
        if document is None:
            raise RunReplacedError(run_id)
        tables.append({k: decode_column(v) for k, v in document["columns"].items()})
    return concatenate(tables)
