"""Keeping the read model current: it follows each dataset's change log in the store.

A catch-up reads the datasets (their versions; a handful of small documents), and for each
dataset whose version moved, the log entries since the version held. Their net effect is
applied in one transaction: the calls of each biosample named by a calls change become the
stored calls of its latest file, and changed individuals are read again (the registry, and
the attributes of their biosamples' calls). A log that
no longer reaches the version held (or a change of kind "dataset") reloads the dataset.
Catch-ups run after every job-success event, every poll interval, and on demand.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from cnvbeacon.query.datasets import DatasetInfo
from cnvbeacon.query.read_model import mongo_source, writes
from cnvbeacon.query.read_model.database import ReadModelDatabase
from cnvbeacon.shared.store.changes import (
    CHANGES_FIELD,
    WITHOUT_CHANGES,
    Change,
    ChangeKind,
    changes_since,
)
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import DATASETS

log = logging.getLogger(__name__)

# Sort `calls` after this many appended calls, or a tenth of the calls held at the last
# sort if more.
SORT_AFTER_CALLS = 50_000
SORT_AFTER_SHARE = 10


@dataclass
class NetChange:
    """What a run of changes amounts to."""

    reload: bool = False
    files: dict[str, str] = field(default_factory=dict)  # biosample -> digest of its file
    attributes_of: set[str] | None = field(default_factory=set)  # None: every biosample

    def add(self, change: Change) -> None:
        if change.kind is ChangeKind.DATASET:
            self.reload = True
        elif change.kind is ChangeKind.CALLS:
            if change.biosample_ids is None or change.file_digest is None:
                self.reload = True
            else:
                for biosample_id in change.biosample_ids:
                    self.files[biosample_id] = change.file_digest
        elif change.biosample_ids is None:
            self.attributes_of = None
        elif self.attributes_of is not None:
            self.attributes_of.update(change.biosample_ids)


def net_change(changes: list[Change] | None) -> NetChange:
    net = NetChange(reload=changes is None)
    for change in changes or ():
        net.add(change)
    return net


class ReadModelSync:
    def __init__(self, store: Database, database: ReadModelDatabase) -> None:
        self._store = store
        self._database = database
        self._lock = asyncio.Lock()
        self.datasets: dict[str, DatasetInfo] = {}
        self.caught_up_once = asyncio.Event()
        # Calls inserted since `calls` was last rewritten sorted.
        self._unsorted = 0
        self._sorted_calls = 0  # calls held at the last sort

    async def load_held(self) -> None:
        self.datasets = await self._database.read(writes.held_datasets)

    async def catch_up(self, *, reload_all: bool = False) -> None:
        """Apply everything the store's change logs hold beyond what is held (one at a time:
        concurrent callers wait for the running catch-up and then run their own). With
        `reload_all`, every dataset is read from the store again (a rebuild)."""
        async with self._lock:
            cursor = self._store[DATASETS].find({}, WITHOUT_CHANGES).sort("_id", 1)
            current = {d["_id"]: d async for d in cursor}
            for dataset_id in sorted(set(self.datasets) - set(current)):
                await self._remove(dataset_id)
            for dataset_id, document in current.items():
                held = self.datasets.get(dataset_id)
                if (
                    reload_all
                    or held is None
                    or held.data_version != int(document.get("data_version", 0))
                ):
                    held_version = None if reload_all else (held.data_version if held else 0)
                    await self._catch_up_dataset(dataset_id, held_version, new=held is None)
                elif held.document != _view(document):
                    await self._record(dataset_id, document)
            await self._sort_if_needed()
            self.caught_up_once.set()

    async def _sort_if_needed(self) -> None:
        """Rewrite `calls` sorted once the calls appended since the last sort are many
        (range conditions scan appended row groups whole)."""
        if self._unsorted < max(SORT_AFTER_CALLS, self._sorted_calls // SORT_AFTER_SHARE):
            return
        self._sorted_calls = await self._database.write(writes.sort_calls)
        self._unsorted = 0

    async def _catch_up_dataset(
        self, dataset_id: str, held_version: int | None, *, new: bool = False
    ) -> None:
        """Apply the dataset's changes since `held_version` (None: reload it). A `new`
        dataset reads its whole registry: individuals registered before the dataset
        existed are in no change of its log."""
        document = await self._store[DATASETS].find_one({"_id": dataset_id})
        if document is None:
            return
        version = int(document.get("data_version", 0))
        changes = None if held_version is None else changes_since(document, held_version)
        net = net_change(changes)
        if new:
            net.attributes_of = None
        assembly = str(document.get("assembly") or "")
        started = time.perf_counter()
        if net.reload:
            await self._reload(dataset_id, assembly, document)
        else:
            await self._apply(dataset_id, assembly, document, net)
        log.info(
            "read model caught up",
            extra={
                "dataset": dataset_id,
                "data_version": version,
                "reloaded": net.reload,
                "biosamples": len(net.files),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )

    async def _apply(
        self, dataset_id: str, assembly: str, document: Document, net: NetChange
    ) -> None:
        ranks = mongo_source.chrom_ranks(assembly)
        calls = await mongo_source.calls_of_files(self._store, dataset_id, net.files)
        incoming = mongo_source.to_arrow(calls, ranks)
        individuals = (
            await mongo_source.registered_individuals(self._store, dataset_id, net.attributes_of)
            if net.attributes_of is None or net.attributes_of
            else []
        )
        attributes = mongo_source.attributes_of(individuals, net.attributes_of)
        view = _view(document)
        version = int(document.get("data_version", 0))

        def apply(con: Any) -> int:
            inserted = (
                writes.replace_calls(con, dataset_id, net.files, incoming) if net.files else 0
            )
            if individuals or net.attributes_of is None:
                changed = (
                    None if net.attributes_of is None else {i["individual_id"] for i in individuals}
                )
                writes.replace_individuals(con, dataset_id, changed, individuals)
            writes.set_attributes(con, dataset_id, attributes)
            writes.set_dataset(con, dataset_id, assembly, version, view)
            return inserted

        self._unsorted += await self._database.write(apply, [dataset_id])
        self.datasets[dataset_id] = DatasetInfo(dataset_id, assembly, version, view)

    async def _reload(self, dataset_id: str, assembly: str, document: Document) -> None:
        """Read every call and individual of the dataset, then swap them in at once."""
        ranks = mongo_source.chrom_ranks(assembly)
        parts: list[pa.Table] = [writes.empty_incoming()]
        async for batch in mongo_source.calls_of_dataset(self._store, dataset_id, assembly):
            parts.append(mongo_source.to_arrow(batch, ranks))
        incoming = pa.concat_tables(parts)
        individuals = await mongo_source.registered_individuals(self._store, dataset_id, None)
        view = _view(document)
        version = int(document.get("data_version", 0))

        def reload(con: Any) -> int:
            inserted = writes.replace_calls(con, dataset_id, None, incoming)
            writes.replace_individuals(con, dataset_id, None, individuals)
            writes.set_dataset(con, dataset_id, assembly, version, view)
            return inserted

        self._unsorted += await self._database.write(reload, [dataset_id])
        self.datasets[dataset_id] = DatasetInfo(dataset_id, assembly, version, view)

    async def _remove(self, dataset_id: str) -> None:
        await self._database.write(lambda c: writes.remove_dataset(c, dataset_id), [dataset_id])
        self.datasets.pop(dataset_id, None)

    async def _record(self, dataset_id: str, document: Document) -> None:
        assembly = str(document.get("assembly") or "")
        version = int(document.get("data_version", 0))
        view = _view(document)
        await self._database.write(
            lambda c: writes.set_dataset(c, dataset_id, assembly, version, view), [dataset_id]
        )
        self.datasets[dataset_id] = DatasetInfo(dataset_id, assembly, version, view)


def _view(document: Mapping[str, Any]) -> dict[str, Any]:
    """The dataset's own fields as JSON values, as the read model holds them (so that a
    held view and a fresh one compare equal)."""
    own = {key: value for key, value in document.items() if key not in ("_id", CHANGES_FIELD)}
    loaded: dict[str, Any] = json.loads(json.dumps(own, default=_json_value))
    return loaded


def _json_value(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
