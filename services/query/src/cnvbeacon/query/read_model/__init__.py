"""The read model: every dataset's calls in an embedded columnar database (DuckDB, on disk,
memory bounded by its memory_limit), answering every lookup with SQL.

The store (MongoDB) stays the system of record: the read model follows each dataset's
change log (shared.store.changes; see sync.py), applying each job's calls in one
transaction, and is rebuilt from the store when its file is missing or of another schema
version. Each query replica keeps its own.

- database.py: the DuckDB file, reader pool and single writer;
- schema.py: tables derived from the call document's declaration;
- predicates.py: a CallQuery as one parameterised SQL condition (the filter semantics);
- reads.py / writes.py: the SQL of every read and write;
- mongo_source.py: reading calls and registry rows from the store;
- sync.py: catching up with the store's change logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pyarrow as pa

from cnvbeacon.query.counts import Counts
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.read_model import reads
from cnvbeacon.query.read_model.database import ReadModelDatabase
from cnvbeacon.query.read_model.sync import ReadModelSync
from cnvbeacon.query.samples import Carrier
from cnvbeacon.query.variants import Variant
from cnvbeacon.shared.store.client import Database, Document

__all__ = ["ReadModel"]

log = logging.getLogger(__name__)
STREAM_BATCH_ROWS = 5000


class ReadModel:
    def __init__(
        self,
        store: Database,
        directory: Path,
        *,
        memory_limit: str = "512MB",
        threads: int = 2,
        readers: int = 4,
        poll_s: float = 1.0,
    ) -> None:
        self.database = ReadModelDatabase(
            directory, memory_limit=memory_limit, threads=threads, readers=readers
        )
        self.sync = ReadModelSync(store, self.database)
        self._poll_s = poll_s
        self._nudged = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await asyncio.to_thread(self.database.open)
        await self.sync.load_held()
        self._poller = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
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
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._nudged.wait()
            self._nudged.clear()

    @property
    def ready(self) -> bool:
        return self.sync.caught_up_once.is_set()

    # ----------------------------------------------------------------- reads

    async def counts(self, query: CallQuery) -> Counts:
        return await self.database.read(lambda c: reads.counts(c, query))

    async def calls_page(
        self, query: CallQuery, skip: int, limit: int
    ) -> tuple[Counts, list[Document]]:
        """The counts and a page of calls, from one snapshot."""
        return await self.database.read(
            lambda c: (reads.counts(c, query), reads.calls_page(c, query, skip, limit))
        )

    async def variants_page(
        self, query: CallQuery, skip: int, limit: int
    ) -> tuple[Counts, list[Variant]]:
        return await self.database.read(
            lambda c: (reads.counts(c, query), reads.variants_page(c, query, skip, limit))
        )

    async def carriers(self, query: CallQuery) -> list[Carrier]:
        return await self.database.read(lambda c: reads.carriers(c, query))

    async def call(self, call_id: str) -> Document | None:
        return await self.database.read(lambda c: reads.call_by_id(c, call_id))

    async def calls_of_biosample(
        self, dataset_ids: Sequence[str], biosample_id: str
    ) -> list[Document]:
        return await self.database.read(
            lambda c: reads.calls_of_biosample(c, dataset_ids, biosample_id)
        )

    async def biosample(self, dataset_id: str, biosample_id: str) -> Document | None:
        return await self.database.read(lambda c: reads.biosample(c, dataset_id, biosample_id))

    async def stream(
        self, query: CallQuery, fields: Sequence[str] = reads.DOCUMENT_FIELDS
    ) -> AsyncIterator[list[Document]]:
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
