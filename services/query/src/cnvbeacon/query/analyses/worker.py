"""The analysis consumer: requests come from ingest (after each job) and from POST
/analyses/{dataset}/run. Requests are debounced and coalesced per dataset: one waits until
the dataset has stopped changing, runs the job in a child process and is acknowledged;
requests that arrive meanwhile wait for it and are then acknowledged without work when
the stored result is of the current data version.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import AMQPError
from aiormq.exceptions import ChannelInvalidStateError

from cnvbeacon.query.analyses import source
from cnvbeacon.query.analyses.job import JobReport
from cnvbeacon.query.analyses.result_store import (
    FAILED,
    READY,
    RUNNING,
    WAITING,
    load_run,
    record_state,
)
from cnvbeacon.query.analyses.settings import AnalysisSettings
from cnvbeacon.query.analyses.variants import DEFAULT
from cnvbeacon.shared.store.client import Database

log = logging.getLogger(__name__)

JobRunner = Callable[[str], Awaitable[JobReport]]


def request_body(dataset_id: str, database: str, *, force: bool, reason: str) -> dict[str, Any]:
    return {"dataset_id": dataset_id, "database": database, "force": force, "reason": reason}


class AnalysisWorker:
    def __init__(
        self, db: Database, database_name: str, settings: AnalysisSettings, run_job: JobRunner
    ) -> None:
        self._db = db
        self._database_name = database_name
        self._settings = settings
        self._run_job = run_job
        self._locks: dict[str, asyncio.Lock] = {}
        self.last_report: JobReport | None = None

    async def handle(self, message: AbstractIncomingMessage) -> None:
        try:
            body = json.loads(message.body)
            dataset_id = str(body["dataset_id"])
        except (ValueError, KeyError, TypeError):
            log.error(
                "not an analysis request; dead-lettering it", extra={"body": message.body[:200]}
            )
            await message.reject(requeue=False)
            return
        if body.get("database", self._database_name) != self._database_name:
            # Two deployments share a broker namespace: leave it to the other one.
            log.warning("analysis request for database %s; requeueing", body.get("database"))
            await asyncio.sleep(1)
            await message.nack(requeue=True)
            return
        lock = self._locks.setdefault(dataset_id, asyncio.Lock())
        async with lock:
            try:
                await self._process(dataset_id, force=bool(body.get("force")))
            except asyncio.CancelledError:
                # Shutting down: hand the request back (if the channel is still open).
                with contextlib.suppress(AMQPError, ChannelInvalidStateError):
                    await message.nack(requeue=True)
                raise
            except Exception as error:
                log.exception("analysis failed", extra={"dataset": dataset_id})
                await record_state(
                    self._db, dataset_id, DEFAULT, FAILED, error=f"{type(error).__name__}: {error}"
                )
                await asyncio.sleep(self._settings.retry_delay_s)
                await message.nack(requeue=True)
                return
        await message.ack()

    async def _process(self, dataset_id: str, *, force: bool) -> None:
        if not force and await self._result_is_current(dataset_id):
            log.info("analysis already current; request coalesced", extra={"dataset": dataset_id})
            return
        if await source.dataset_version(self._db, dataset_id) is None:
            log.warning("analysis requested for an unknown dataset", extra={"dataset": dataset_id})
            return
        await record_state(self._db, dataset_id, DEFAULT, WAITING)
        await self._wait_until_quiet(dataset_id)
        await record_state(self._db, dataset_id, DEFAULT, RUNNING)
        report = await self._run_job(dataset_id)
        self.last_report = report
        if not report.stored:
            # Another replica stored a newer data version first; that result stands.
            log.info("a newer analysis was stored meanwhile", extra=report.describe())
            await record_state(self._db, dataset_id, DEFAULT, READY)

    async def _result_is_current(self, dataset_id: str) -> bool:
        version = await source.dataset_version(self._db, dataset_id)
        run = await load_run(self._db, dataset_id, DEFAULT.key)
        return (
            version is not None
            and run is not None
            and run.has_result
            and run.data_version >= version.data_version
        )

    async def _wait_until_quiet(self, dataset_id: str) -> None:
        """Until the data version has not moved and no job has run for stable_s seconds
        (or max_wait_s have passed)."""
        settings = self._settings
        started = time.monotonic()
        last: tuple[int, bool] | None = None
        quiet_since = started
        while True:
            version = await source.dataset_version(self._db, dataset_id)
            running = await source.job_running(self._db, dataset_id)
            state = (version.data_version if version else -1, running)
            now = time.monotonic()
            if state != last:
                last, quiet_since = state, now
            if not running and now - quiet_since >= settings.stable_s:
                return
            if now - started >= settings.max_wait_s:
                log.warning(
                    "dataset still changing; analysing it anyway", extra={"dataset": dataset_id}
                )
                return
            await asyncio.sleep(settings.poll_s)
