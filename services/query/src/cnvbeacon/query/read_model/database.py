"""The read model's DuckDB database: one file, many concurrent readers, one writer.

Every statement runs in a thread (DuckDB calls block), readers in a small pool, each on a
cursor of its own (a cursor is cheap; DuckDB gives each a consistent snapshot), and all
writes in one thread, each as one transaction: readers see a write whole or not at all.
A database file of another schema version, or built from another store, is replaced by
an empty one (the sync then reloads it from the store).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import duckdb

from cnvbeacon.query.read_model.schema import DDL, SCHEMA_VERSION

log = logging.getLogger(__name__)

Result = TypeVar("Result")
Connection = duckdb.DuckDBPyConnection
FILE_NAME = "read-model.duckdb"
# Files open in this process: two read models on one file would share one database.
_OPEN_PATHS: set[Path] = set()
_OPEN_PATHS_LOCK = threading.Lock()


class ReadModelDatabase:
    def __init__(
        self, directory: Path, *, source: str, memory_limit: str, threads: int, readers: int
    ) -> None:
        self.path = directory / FILE_NAME
        self._source = source  # which store it follows (URL without credentials, database)
        self._memory_limit = memory_limit
        self._threads = threads
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="read-model-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="read-model-write")
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        # Move on (in the writer thread) before and after every write: odd while one is in
        # progress. `_versions` per dataset, for the writes naming their datasets;
        # `_all_version` for writes that may change any. An answer about some datasets
        # read while their versions stayed even and unchanged is current until they move.
        self._versions: dict[str, int] = {}
        self._all_version = 0

    def open(self) -> None:
        """Open (or create) the file; blocking, called in a thread at start-up."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        path = self.path.resolve()
        with _OPEN_PATHS_LOCK:
            if path in _OPEN_PATHS:
                raise RuntimeError(
                    f"another read model in this process uses {path}: give each its own directory"
                )
            _OPEN_PATHS.add(path)
        try:
            self._connection = self._open_or_replace()
        except BaseException:
            with _OPEN_PATHS_LOCK:
                _OPEN_PATHS.discard(path)
            raise

    def _open_or_replace(self) -> Connection:
        connection = self._connect()
        found = (_meta(connection, "schema_version"), _meta(connection, "source"))
        wanted = (str(SCHEMA_VERSION), self._source)
        if found != wanted:
            if found[0] is not None:
                log.warning(
                    "read model of another schema version or store; rebuilding it",
                    extra={"found": found, "wanted": wanted, "path": str(self.path)},
                )
            connection.close()
            for stale in (self.path, self.path.with_name(self.path.name + ".wal")):
                stale.unlink(missing_ok=True)
            connection = self._connect()
            for statement in DDL:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('source', ?)", list(wanted)
            )
        return connection

    def _connect(self) -> Connection:
        return duckdb.connect(
            str(self.path),
            config={
                "memory_limit": self._memory_limit,
                "threads": self._threads,
                # Sorting and joins larger than memory spill beside the database.
                "temp_directory": str(self.path.parent / "tmp"),
            },
        )

    def _cursor(self) -> Connection:
        with self._lock:
            if self._connection is None:
                raise RuntimeError("the read model is closed")
            return self._connection.cursor()

    def _transaction(self, begin: str, work: Callable[[Connection], Result]) -> Result:
        """`work` on a fresh cursor inside one transaction (rolled back if it raises)."""
        cursor = self._cursor()
        try:
            cursor.execute(begin)
            try:
                result = work(cursor)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
            return result
        finally:
            cursor.close()

    async def read(self, work: Callable[[Connection], Result]) -> Result:
        """Run `work` in the reader pool, on one snapshot for all of it."""
        return await asyncio.get_running_loop().run_in_executor(
            self._readers, self._transaction, "BEGIN TRANSACTION READ ONLY", work
        )

    async def in_reader(self, work: Callable[[], Result]) -> Result:
        """Run blocking work on an object of this database (a stream's cursor) in the pool."""
        return await asyncio.get_running_loop().run_in_executor(self._readers, work)

    def cursor(self) -> Connection:
        """A cursor the caller owns and closes (streams that outlive one call)."""
        return self._cursor()

    async def write(
        self, work: Callable[[Connection], Result], dataset_ids: Collection[str] | None = None
    ) -> Result:
        """Run `work` as one transaction in the writer thread: readers see it whole or not
        at all. `dataset_ids`: the only datasets whose answers it changes (None: any)."""
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, self._write, work, dataset_ids
        )

    def _write(
        self, work: Callable[[Connection], Result], dataset_ids: Collection[str] | None
    ) -> Result:
        self._move_on(dataset_ids)
        try:
            return self._transaction("BEGIN TRANSACTION", work)
        finally:
            self._move_on(dataset_ids)

    def _move_on(self, dataset_ids: Collection[str] | None) -> None:
        if dataset_ids is None:
            self._all_version += 1
            return
        for dataset_id in dataset_ids:
            self._versions[dataset_id] = self._versions.get(dataset_id, 0) + 1

    def versions(self, dataset_ids: Collection[str]) -> tuple[int, ...]:
        """Where the writes of these datasets stand (see __init__)."""
        return (self._all_version, *(self._versions.get(d, 0) for d in sorted(dataset_ids)))

    def close(self) -> None:
        self._readers.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(duckdb.Error):
                    self._connection.execute("CHECKPOINT")
                self._connection.close()
                self._connection = None
                with _OPEN_PATHS_LOCK:
                    _OPEN_PATHS.discard(self.path.resolve())

    def file_bytes(self) -> int:
        """The database file and its write-ahead log, on disk."""
        files = (self.path, self.path.with_name(self.path.name + ".wal"))
        return sum(f.stat().st_size for f in files if f.exists())


def _meta(connection: Connection, key: str) -> str | None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None
