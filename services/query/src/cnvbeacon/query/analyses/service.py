"""Answering analysis requests in the query service: the stored full-dataset analysis,
and subsets or other parameters computed on demand.

On-demand variants are computed from the cohort snapshot the job stored with the
full-dataset result (no pass over the calls), in a thread, once per (dataset, variant)
however many requests ask at the same time, and stored like the job's result: labelled
with the snapshot's data version, so they go stale, and are recomputed, with it.
Decoded tables and snapshots are kept in small in-memory LRU caches keyed by run id, so a
replaced run is never served from the cache.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cnvbeacon.query.analyses import source
from cnvbeacon.query.analyses.cohort import Cohort
from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.job import analyse_variant
from cnvbeacon.query.analyses.result_store import (
    StoredRun,
    list_runs,
    load_run,
    load_table,
    save_run,
)
from cnvbeacon.query.analyses.settings import AnalysisSettings
from cnvbeacon.query.analyses.snapshot import CALLS_TABLE, SAMPLES_TABLE, cohort_from_tables
from cnvbeacon.query.analyses.source import DatasetVersion
from cnvbeacon.query.analyses.variants import DEFAULT, Variant
from cnvbeacon.shared.store.client import Database

Key = TypeVar("Key")
Value = TypeVar("Value")


class UnknownDatasetError(LookupError):
    pass


class NotComputedError(LookupError):
    """No full-dataset analysis is stored yet (the run tells its state, if any)."""

    def __init__(self, dataset_id: str, run: StoredRun | None) -> None:
        super().__init__(dataset_id)
        self.run = run


class _Lru(Generic[Key, Value]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Key, value: Value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class CachedBody:
    body: bytes
    content_type: str
    headers: dict[str, str]


class ResponseCache:
    """Rendered answers (JSON, TSV, SVG) by (run id, dataset version, path and query):
    a new run or a new data version (the answer's staleness flag) never hits an old entry.
    Bounded by bytes; single answers above a sixteenth of the bound are not kept."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[tuple[str, int, str], CachedBody] = OrderedDict()

    def get(self, key: tuple[str, int, str]) -> CachedBody | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, int, str], value: CachedBody) -> None:
        if len(value.body) > self._max_bytes // 16 or key in self._items:
            return
        self._items[key] = value
        self._bytes += len(value.body)
        while self._bytes > self._max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped.body)


@dataclass(frozen=True, slots=True)
class AnalysisView:
    """A stored run as of now: stale when the dataset has a newer data version."""

    dataset: DatasetVersion
    run: StoredRun
    variant: Variant

    @property
    def stale(self) -> bool:
        return self.run.data_version < self.dataset.data_version

    @property
    def meta(self) -> dict[str, Any]:
        return self.run.meta

    def describe(self) -> dict[str, Any]:
        computed_at = self.run.computed_at
        return {
            "dataset_id": self.dataset.dataset_id,
            "subset": self.variant.subset.describe(),
            "parameters": self.variant.parameters.describe(),
            "computed_from_version": self.run.data_version,
            "dataset_version": self.dataset.data_version,
            "stale": self.stale,
            "computed_at": computed_at.isoformat() if computed_at else None,
            "seconds": self.run.seconds,
            "samples": self.meta.get("summary", {}).get("samples"),
            "calls": self.meta.get("summary", {}).get("calls"),
        }


class AnalysisService:
    def __init__(self, db: Database, settings: AnalysisSettings) -> None:
        self._db = db
        self._tables: _Lru[tuple[str, str], Table] = _Lru(settings.cached_tables)
        self._cohorts: _Lru[str, Cohort] = _Lru(settings.cached_cohorts)
        self._computing: dict[tuple[str, str], asyncio.Task[StoredRun]] = {}
        self.responses = ResponseCache(settings.cached_response_bytes)

    @property
    def db(self) -> Database:
        return self._db

    async def dataset(self, dataset_id: str) -> DatasetVersion:
        found = await source.dataset_version(self._db, dataset_id)
        if found is None:
            raise UnknownDatasetError(dataset_id)
        return found

    async def runs(self, dataset_id: str) -> list[StoredRun]:
        return await list_runs(self._db, dataset_id)

    async def view(self, dataset_id: str, variant: Variant) -> AnalysisView:
        dataset = await self.dataset(dataset_id)
        base = await load_run(self._db, dataset_id, DEFAULT.key)
        if base is None or not base.has_result:
            raise NotComputedError(dataset_id, base)
        if variant.is_default:
            return AnalysisView(dataset, base, variant)
        run = await load_run(self._db, dataset_id, variant.key)
        if run is None or not run.has_result or run.data_version < base.data_version:
            run = await self._computed(dataset_id, variant, base)
        return AnalysisView(dataset, run, variant)

    async def _computed(self, dataset_id: str, variant: Variant, base: StoredRun) -> StoredRun:
        key = (dataset_id, variant.key)
        task = self._computing.get(key)
        if task is None:
            task = asyncio.create_task(self._compute(dataset_id, variant, base))
            self._computing[key] = task
            task.add_done_callback(lambda _: self._computing.pop(key, None))
        return await asyncio.shield(task)

    async def _compute(self, dataset_id: str, variant: Variant, base: StoredRun) -> StoredRun:
        cohort = await self.cohort(base)
        started = time.perf_counter()
        tables, meta = await asyncio.to_thread(analyse_variant, cohort, variant)
        await save_run(
            self._db,
            dataset_id,
            variant,
            base.data_version,
            tables,
            meta,
            time.perf_counter() - started,
        )
        run = await load_run(self._db, dataset_id, variant.key)
        if run is None or not run.has_result:
            raise RuntimeError(f"the analysis {variant.key} of {dataset_id} was not stored")
        for name, table in tables.items():
            self._tables.put((str(run.run_id), name), table)
        return run

    async def cohort(self, base: StoredRun) -> Cohort:
        """The cohort snapshot stored with a full-dataset run."""
        run_id = str(base.run_id)
        cohort = self._cohorts.get(run_id)
        if cohort is None:
            tables = {
                name: await load_table(self._db, base, name)
                for name in (CALLS_TABLE, SAMPLES_TABLE)
            }
            cohort = await asyncio.to_thread(cohort_from_tables, tables, base.meta["cohort"])
            self._cohorts.put(run_id, cohort)
        return cohort

    async def table(self, view: AnalysisView, name: str) -> Table:
        key = (str(view.run.run_id), name)
        table = self._tables.get(key)
        if table is None:
            table = await load_table(self._db, view.run, name)
            self._tables.put(key, table)
        return table
