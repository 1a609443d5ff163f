"""The read model: every dataset's calls in an embedded columnar database (DuckDB, on disk,
memory bounded by its memory_limit), answering every lookup with SQL.

The store (MongoDB) stays the system of record: the read model follows each dataset's
change log (shared.store.changes; see sync.py), applying each job's calls in one
transaction, and is rebuilt from the store when its file is missing or of another schema
version. Each query replica keeps its own.

- database.py: the DuckDB file, reader pool and single writer;
- schema.py: tables derived from the call document's declaration;
- predicates.py: a CallQuery as one parameterised SQL condition (the filter semantics);
- reads.py / writes.py: the SQL of every read of the calls, and of every write;
- registry.py: the SQL of every read of the registered individuals;
- mongo_source.py: reading calls and registered individuals from the store;
- sync.py: catching up with the store's change logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Collection, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import pyarrow as pa

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.counts import Counts
from cnvbeacon.query.datasets import DatasetInfo
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.read_model import reads, registry
from cnvbeacon.query.read_model.database import ReadModelDatabase
from cnvbeacon.query.read_model.reads import CALLS_FILE, SAMPLES_FILE
from cnvbeacon.query.read_model.registry import RegistryCounts
from cnvbeacon.query.read_model.sync import ReadModelSync
from cnvbeacon.query.variants import Variant
from cnvbeacon.shared.frequencies import GroupSize, group_sizes
from cnvbeacon.shared.store.client import Database, Document

__all__ = ["CALLS_FILE", "SAMPLES_FILE", "ReadModel", "RegistryCounts", "WriteCache"]

log = logging.getLogger(__name__)
Page = TypeVar("Page")
STREAM_BATCH_ROWS = 5000
# Counts and dataset aggregates asked for again (every panel of a page, every page of a
# result) while nothing was written to their datasets are answered from memory.
CACHED_ANSWERS = 512
CACHED_GROUPED_SEARCHES = 16
Result = TypeVar("Result")


class WriteCache:
    """Answers about some datasets, kept until a write changes one of them (or any);
    least recently used first out."""

    def __init__(self, database: ReadModelDatabase, size: int) -> None:
        self._database = database
        self._size = size
        self._answers: OrderedDict[Hashable, tuple[tuple[int, ...], Any]] = OrderedDict()

    def versions(self, dataset_ids: Collection[str]) -> tuple[int, ...]:
        return self._database.versions(dataset_ids)

    def get(self, key: Hashable, dataset_ids: Collection[str]) -> Any | None:
        cached = self._answers.get(key)
        if cached is None or cached[0] != self._database.versions(dataset_ids):
            return None  # never cached, or written since (or being written)
        self._answers.move_to_end(key)
        return cached[1]

    def keep(
        self, key: Hashable, dataset_ids: Collection[str], versions: tuple[int, ...], value: Any
    ) -> None:
        """Keep `value`, read starting at `versions`, unless a write of its datasets was in
        progress or began meanwhile (the snapshot read may be either side of it)."""
        if any(v % 2 for v in versions) or versions != self._database.versions(dataset_ids):
            return
        self._answers[key] = (versions, value)
        self._answers.move_to_end(key)
        while len(self._answers) > self._size:
            self._answers.popitem(last=False)


class ReadModel:
    def __init__(
        self,
        store: Database,
        directory: Path,
        *,
        source: str = "",
        memory_limit: str = "512MB",
        threads: int = 2,
        readers: int = 4,
        poll_s: float = 1.0,
        coalesce_s: float = 0.0,
    ) -> None:
        self.database = ReadModelDatabase(
            directory, source=source, memory_limit=memory_limit, threads=threads, readers=readers
        )
        self.sync = ReadModelSync(store, self.database)
        self._poll_s = poll_s
        self._coalesce_s = coalesce_s
        self._nudged = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._rebuild: asyncio.Task[None] | None = None
        self._cache = WriteCache(self.database, CACHED_ANSWERS)
        # Grouped calls of recent searches (each holds its calls: fewer kept).
        self._grouped = WriteCache(self.database, CACHED_GROUPED_SEARCHES)

    async def open(self) -> None:
        await asyncio.to_thread(self.database.open)
        await self.sync.load_held()
        self._poller = asyncio.create_task(self._follow())

    async def close(self) -> None:
        for task in (self._poller, self._rebuild):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await asyncio.to_thread(self.database.close)

    def nudge(self) -> None:
        """Catch up now (a job succeeded)."""
        self._nudged.set()

    async def _follow(self) -> None:
        while True:
            try:
                await self.sync.catch_up()
            except Exception:
                log.exception("read model catch-up failed; retrying")
            # Nudges arriving meanwhile stay set: the next catch-up applies them together.
            await asyncio.sleep(self._coalesce_s)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._nudged.wait()
            self._nudged.clear()

    @property
    def ready(self) -> bool:
        """True once the first catch-up with the store finished."""
        return self.sync.caught_up_once.is_set()

    async def catch_up(self) -> None:
        """Catch up with the store now; returns when done."""
        await self.sync.catch_up()

    async def rebuild(self) -> None:
        """Read every dataset from the store again (readers see the old calls until each
        dataset's new ones are in)."""
        await self.sync.catch_up(reload_all=True)

    @property
    def rebuilding(self) -> bool:
        return self._rebuild is not None and not self._rebuild.done()

    def start_rebuild(self) -> None:
        """Rebuild in the background (unless a rebuild is running)."""
        if not self.rebuilding:
            self._rebuild = asyncio.create_task(self._rebuild_logged())

    async def _rebuild_logged(self) -> None:
        try:
            await self.rebuild()
        except Exception:
            log.exception("read model rebuild failed")

    def datasets(self) -> dict[str, DatasetInfo]:
        """The datasets held, by id (as of the last catch-up)."""
        return dict(self.sync.datasets)

    async def status(self) -> dict[str, object]:
        calls = await self.database.read(
            lambda c: int((c.execute("SELECT count(*) FROM calls").fetchone() or (0,))[0])
        )
        return {
            "ready": self.ready,
            "rebuilding": self.rebuilding,
            "datasets": {d.id: d.data_version for d in self.sync.datasets.values()},
            "calls": calls,
            "file_bytes": self.database.file_bytes(),
        }

    # ----------------------------------------------------------------- reads

    async def _with_counts(
        self, query: CallQuery, page: Callable[[Any], Page]
    ) -> tuple[Counts, Page]:
        """The query's counts (cached while nothing was written) and `page`, read from
        one snapshot."""
        key, datasets = ("counts", query), query.dataset_ids
        cached = self._cache.get(key, datasets)
        if cached is not None:
            return cached, await self.database.read(page)
        versions = self._cache.versions(datasets)
        counts, found = await self.database.read(lambda c: (reads.counts(c, query), page(c)))
        self._cache.keep(key, datasets, versions, counts)
        return counts, found

    async def _cached(
        self, key: Hashable, dataset_ids: Collection[str], read: Callable[[Any], Result]
    ) -> Result:
        """`read`'s answer about these datasets, cached until a write changes them."""
        cached = self._cache.get(key, dataset_ids)
        if cached is not None:
            return cast(Result, cached)
        versions = self._cache.versions(dataset_ids)
        value = await self.database.read(read)
        self._cache.keep(key, dataset_ids, versions, value)
        return value

    async def counts(self, query: CallQuery) -> Counts:
        # Answered from memory when cached: no reader is taken (readers may all be busy).
        cached = self._cache.get(("counts", query), query.dataset_ids)
        if cached is not None:
            return cast(Counts, cached)
        counts, _ = await self._with_counts(query, lambda c: None)
        return counts

    async def calls_page(
        self,
        query: CallQuery,
        skip: int,
        limit: int,
        fields: Sequence[str] = reads.DOCUMENT_FIELDS,
    ) -> tuple[Counts, list[Document]]:
        """A page of matching calls, each with only `fields` (document names: `_id`)."""
        return await self._with_counts(
            query, lambda c: reads.calls_page(c, query, skip, limit, fields)
        )

    async def calls_page_json(
        self, query: CallQuery, skip: int, limit: int, fields: Sequence[str]
    ) -> tuple[Counts, bytes]:
        """calls_page as one JSON array of call views (reads.calls_page_json)."""
        return await self._with_counts(
            query, lambda c: reads.calls_page_json(c, query, skip, limit, fields)
        )

    async def variants_page(
        self, query: CallQuery, skip: int, limit: int, *, all_carriers: bool = False
    ) -> tuple[Counts, list[Variant]]:
        return await self._with_counts(
            query,
            lambda c: reads.variants_page(c, query, skip, limit, all_carriers=all_carriers),
        )

    async def variants_page_json(
        self, query: CallQuery, skip: int, limit: int, *, all_carriers: bool = False
    ) -> tuple[Counts, bytes]:
        """variants_page as one JSON array of variant views (reads.variants_page_json)."""
        return await self._with_counts(
            query,
            lambda c: reads.variants_page_json(c, query, skip, limit, all_carriers=all_carriers),
        )

    async def carriers(self, query: CallQuery) -> list[Carrier]:
        return await self.database.read(lambda c: reads.carriers(c, query))

    async def carrier_groups(self, query: CallQuery) -> list[Document]:
        """Individuals with matching calls by dataset and attributes (reads.carrier_groups)."""
        return await self.database.read(lambda c: reads.carrier_groups(c, query))

    async def grouped_calls(
        self, query: CallQuery, how: Hashable, group: Callable[[pa.Table], Result]
    ) -> Result:
        """`group` of the matching calls (reads.region_calls' table), kept per query and
        `how` until a write changes their datasets: the pages of one search share it."""
        key, datasets = ("grouped", query, how), query.dataset_ids
        cached = self._grouped.get(key, datasets)
        if cached is not None:
            return cast(Result, cached)
        versions = self._grouped.versions(datasets)
        grouped = await self.database.read(lambda c: group(reads.region_calls(c, query)))
        self._grouped.keep(key, datasets, versions, grouped)
        return grouped

    async def call(self, call_id: str) -> Document | None:
        return await self.database.read(lambda c: reads.call_by_id(c, call_id))

    async def calls_of_biosample(
        self,
        dataset_ids: Sequence[str],
        biosample_id: str,
        fields: Sequence[str] = reads.DOCUMENT_FIELDS,
    ) -> list[Document]:
        return await self.database.read(
            lambda c: reads.calls_of_biosample(c, dataset_ids, biosample_id, fields)
        )

    async def biosample(self, dataset_id: str, biosample_id: str) -> Document | None:
        return await self.database.read(lambda c: reads.biosample(c, dataset_id, biosample_id))

    # ----------------------------------------------------------------- registry

    async def registered_individuals(
        self, dataset_ids: Sequence[str], filters: CallFilters, skip: int, limit: int
    ) -> tuple[RegistryCounts, list[Document]]:
        """The registered individuals of the datasets with the attributes the filters
        allow: how many (and their biosamples), and one page of them."""
        return await self.database.read(
            lambda c: (
                registry.counts(c, dataset_ids, filters),
                registry.individuals_page(c, dataset_ids, filters, skip, limit),
            )
        )

    async def registered_biosamples(
        self, dataset_ids: Sequence[str], filters: CallFilters, skip: int, limit: int
    ) -> tuple[RegistryCounts, list[Document]]:
        """As registered_individuals, with a page of their biosamples."""
        return await self.database.read(
            lambda c: (
                registry.counts(c, dataset_ids, filters),
                registry.biosamples_page(c, dataset_ids, filters, skip, limit),
            )
        )

    async def individuals_of_biosamples(
        self, biosamples: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], Document]:
        """(dataset, biosample) -> its registered individual, for those registered."""

        def read(con: Any) -> dict[tuple[str, str], Document]:
            found: dict[tuple[str, str], Document] = {}
            for dataset_id in sorted({d for d, _ in biosamples}):
                wanted = {b for d, b in biosamples if d == dataset_id}
                for biosample_id, document in registry.individuals_of_biosamples(
                    con, dataset_id, wanted
                ).items():
                    found[(dataset_id, biosample_id)] = document
            return found

        return await self.database.read(read)

    async def individual(self, dataset_id: str, individual_id: str) -> Document | None:
        return await self.database.read(lambda c: registry.individual(c, dataset_id, individual_id))

    async def registered_count(self, dataset_id: str) -> int:
        counts = await self._cached(
            ("registered", dataset_id),
            [dataset_id],
            lambda c: registry.counts(c, [dataset_id], CallFilters()),
        )
        return counts.individuals

    async def group_sizes(self, dataset_id: str) -> list[GroupSize]:
        """Every group's individuals with data and registered (shared.frequencies)."""
        return await self._cached(
            ("populations", dataset_id),
            [dataset_id],
            lambda c: group_sizes(*registry.population_rows(c, dataset_id)),
        )

    # ----------------------------------------------------------------- snapshots

    async def export_dataset(
        self, dataset_id: str, chroms: Sequence[str], directory: Path
    ) -> int | None:
        """Write the dataset's calls on these chromosomes (CALLS_FILE) and its biosamples
        (SAMPLES_FILE) as Parquet files into `directory`, from one snapshot, a batch at a
        time; returns the data version written (None: the dataset is not held)."""

        def export(con: Any) -> int | None:
            version = reads.data_version(con, dataset_id)
            if version is not None:
                reads.export_dataset(con, dataset_id, chroms, directory, STREAM_BATCH_ROWS)
            return version

        return await self.database.read(export)

    async def stream(
        self, query: CallQuery, fields: Sequence[str] = reads.DOCUMENT_FIELDS
    ) -> AsyncGenerator[list[Document], None]:
        """Every matching call in order, a batch at a time, never all of them in memory."""
        sql, params = reads.stream_sql(query, fields)
        cursor = self.database.cursor()
        try:

            def start() -> pa.RecordBatchReader:
                cursor.execute("BEGIN TRANSACTION READ ONLY")
                reader: pa.RecordBatchReader = cursor.sql(sql, params=params).to_arrow_reader(
                    STREAM_BATCH_ROWS
                )
                return reader

            reader = await self.database.in_reader(start)
            batches = reads.batches(reader, fields)
            while True:
                batch = await self.database.in_reader(lambda: next(batches, None))
                if batch is None:
                    return
                yield batch
        finally:
            await self.database.in_reader(cursor.close)
