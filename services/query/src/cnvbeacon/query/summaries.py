"""The count summaries a query service holds, and when they may be used.

Summaries are kept in the store (summary_store), so a restarted or added replica loads
them. A summary answers for its dataset only while it is current: its data_version is the
dataset's, and no job of the dataset has run since its calls were read (a running or
failed job writes calls before, or without, bumping the version). Otherwise requests
count by scanning, and a rebuild is started in the background; a poller also rebuilds
summaries that went stale, so after an ingest counts are fast again within about a
minute plus one pass over the dataset's calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from enum import StrEnum

from aiohttp import web

from cnvbeacon.query.datasets import (
    DatasetInfo,
    calls_may_have_changed,
    jobs_started_since,
    read_datasets,
)
from cnvbeacon.query.summary import DatasetSummary
from cnvbeacon.query.summary_build import build_summary
from cnvbeacon.query.summary_store import load_summary, save_summary
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.web import DATABASE

log = logging.getLogger(__name__)


class SummaryState(StrEnum):
    CURRENT = "current"  # counts from the summary
    BUILDING = "building"  # counts by scanning until the build finishes
    STALE = "stale"  # counts by scanning; a build starts when the dataset is quiet
    DISABLED = "disabled"


class Summaries:
    def __init__(self, db: Database, *, enabled: bool, poll_s: float) -> None:
        self._db = db
        self._enabled = enabled
        self._poll_s = poll_s
        self._held: dict[str, DatasetSummary] = {}
        self._builds: dict[str, asyncio.Task[None]] = {}
        self._attempted: dict[str, float] = {}  # monotonic time of the last build attempt

    def state(self, dataset: DatasetInfo) -> SummaryState:
        if not self._enabled:
            return SummaryState.DISABLED
        if dataset.id in self._builds:
            return SummaryState.BUILDING
        held = self._held.get(dataset.id)
        if held is not None and held.data_version == dataset.data_version:
            return SummaryState.CURRENT
        return SummaryState.STALE

    async def current(
        self, datasets: Mapping[str, DatasetInfo]
    ) -> dict[str, DatasetSummary] | None:
        """Summaries of all these datasets if every one is current, else None (and the
        missing ones are being rebuilt)."""
        if not self._enabled:
            return None
        held = {d: self._held.get(d) for d in datasets}
        stale = [
            d for d, s in held.items() if s is None or s.data_version != datasets[d].data_version
        ]
        for dataset_id in stale:
            self.refresh(dataset_id)
        if stale:
            return None
        summaries = {d: s for d, s in held.items() if s is not None}
        oldest = min((s.read_from for s in summaries.values()), default=None)
        # A build never starts while a job of its dataset runs, so a job that may have
        # changed calls since has started since.
        if oldest is not None and await jobs_started_since(self._db, list(datasets), oldest):
            for dataset_id in datasets:
                self.refresh(dataset_id)
            return None
        return summaries

    def refresh(self, dataset_id: str) -> None:
        """Start rebuilding a dataset's summary unless a build is running or one was tried
        less than poll_s ago (while a dataset is being ingested, builds are refused)."""
        if not self._enabled or dataset_id in self._builds:
            return
        now = time.monotonic()
        if now - self._attempted.get(dataset_id, -self._poll_s) < self._poll_s:
            return
        self._attempted[dataset_id] = now
        self._builds[dataset_id] = asyncio.create_task(self._build(dataset_id))

    async def _build(self, dataset_id: str) -> None:
        try:
            summary = await self._stored(dataset_id)
            if summary is None:
                summary = await build_summary(self._db, dataset_id)
                if summary is not None:
                    await save_summary(self._db, summary)
            if summary is not None:
                self._held[dataset_id] = summary
        except Exception:
            log.exception("building a count summary failed", extra={"dataset": dataset_id})
        finally:
            del self._builds[dataset_id]

    async def _stored(self, dataset_id: str) -> DatasetSummary | None:
        """The stored summary of the dataset's current version, unless a job ran since."""
        dataset = (await read_datasets(self._db)).get(dataset_id)
        if dataset is None:
            return None
        stored = await load_summary(self._db, dataset_id, dataset.data_version)
        if stored is None or await calls_may_have_changed(self._db, [dataset_id], stored.read_from):
            return None
        return stored

    async def poll(self) -> None:
        """Rebuild stale summaries every poll_s seconds."""
        while True:
            try:
                for dataset in (await read_datasets(self._db)).values():
                    if self.state(dataset) is SummaryState.STALE:
                        self.refresh(dataset.id)
            except Exception:
                log.exception("checking count summaries failed")
            await asyncio.sleep(self._poll_s)

    async def close(self) -> None:
        for task in list(self._builds.values()):
            task.cancel()
        await asyncio.gather(*self._builds.values(), return_exceptions=True)


def summaries_ctx(
    key: web.AppKey[Summaries], enabled: bool, poll_s: float
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        summaries = Summaries(app[DATABASE], enabled=enabled, poll_s=poll_s)
        app[key] = summaries
        poller = asyncio.create_task(summaries.poll()) if enabled else None
        yield
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        await summaries.close()

    return context
