"""The inbox watcher: files dropped into the inbox directory become jobs, each exactly once.

Only the top level of the inbox is watched: `*.vcf`, `*.vcf.gz`, `*.vcf.bgz` become one job
each; `*.manifest.tsv` / `*.manifest.csv` become a batch whose file column names paths
relative to the inbox (keep those files in a subdirectory, which is not watched).

A file is taken once it has stopped changing between two polls. Exactly once, across
restarts and several watching replicas: a file (path, size, modification time) is first
*claimed* by inserting a document with a unique id and the job id it will get; only the
claimer submits it. A claim whose submission did not finish (a crash in between) is
completed on a later poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo.errors import DuplicateKeyError

from cnvbeacon.ingest.jobs import JobStore, new_job_id
from cnvbeacon.ingest.manifest import ManifestError, parse_manifest
from cnvbeacon.ingest.submission import submit_job
from cnvbeacon.shared.messaging import Publisher
from cnvbeacon.shared.models import JobError
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import INBOX_FILES

log = logging.getLogger(__name__)

VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz")
MANIFEST_SUFFIXES = (".manifest.tsv", ".manifest.csv")
STALE_CLAIM = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class InboxFile:
    name: str
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        return f"{self.name}|{self.size}|{self.mtime_ns}"

    @property
    def is_manifest(self) -> bool:
        return self.name.endswith(MANIFEST_SUFFIXES)


def list_candidates(inbox: Path) -> list[InboxFile]:
    """Blocking directory scan; run it in a thread."""
    found = []
    for path in sorted(inbox.iterdir()):
        if path.is_file() and path.name.endswith(VCF_SUFFIXES + MANIFEST_SUFFIXES):
            stat = path.stat()
            found.append(InboxFile(path.name, stat.st_size, stat.st_mtime_ns))
    return found


class InboxWatcher:
    def __init__(
        self, db: Database, jobs: JobStore, publisher: Publisher, inbox: Path, dataset_id: str
    ) -> None:
        self._claims = db[INBOX_FILES]
        self._jobs = jobs
        self._publisher = publisher
        self._inbox = inbox
        self._dataset_id = dataset_id
        self._previous: set[InboxFile] = set()

    async def poll(self) -> int:
        """One pass; returns how many new files were submitted."""
        current = set(await asyncio.to_thread(list_candidates, self._inbox))
        # Only files unchanged since the last poll: a file still being written is left.
        stable = current & self._previous
        self._previous = current
        submitted = 0
        for inbox_file in sorted(stable, key=lambda f: f.name):
            if await self._claim(inbox_file):
                submitted += 1
        await self._finish_stale_claims()
        return submitted

    async def _claim(self, inbox_file: InboxFile) -> bool:
        claim = {
            "_id": inbox_file.key,
            "name": inbox_file.name,
            "job_id": None if inbox_file.is_manifest else new_job_id(),
            "submitted": False,
            "claimed_at": datetime.now(UTC),
        }
        try:
            await self._claims.insert_one(claim)
        except DuplicateKeyError:
            return False
        await self._submit(claim)
        return True

    async def _finish_stale_claims(self) -> None:
        cutoff = datetime.now(UTC) - STALE_CLAIM
        async for claim in self._claims.find({"submitted": False, "claimed_at": {"$lt": cutoff}}):
            if claim["job_id"] is not None and await self._jobs.get(claim["job_id"]):
                await self._mark_submitted(claim["_id"])
                continue
            log.warning("completing an interrupted inbox submission", extra={"file": claim["name"]})
            await self._submit(claim)

    async def _submit(self, claim: dict[str, Any]) -> None:
        name = str(claim["name"])
        if claim["job_id"] is None:
            await self._submit_manifest(name)
        else:
            await submit_job(
                self._jobs,
                self._publisher,
                dataset_id=self._dataset_id,
                source=name,
                job_id=str(claim["job_id"]),
            )
        await self._mark_submitted(claim["_id"])
        log.info("inbox file submitted", extra={"file": name})

    async def _submit_manifest(self, name: str) -> None:
        text = await asyncio.to_thread((self._inbox / name).read_text, "utf-8", "replace")
        batch_id, _ = await self._jobs.create_batch(
            dataset_id=self._dataset_id, source=name, size=0
        )
        try:
            rows = parse_manifest(text)
        except ManifestError as error:
            job = await self._jobs.create(
                dataset_id=self._dataset_id, source=name, batch_id=batch_id
            )
            await self._jobs.fail(
                job.id, JobError(file=name, line=error.line, message=error.message)
            )
            await self._jobs.set_batch_size(batch_id, 1)
            return
        await self._jobs.set_batch_size(batch_id, len(rows))
        for row in rows:
            await submit_job(
                self._jobs,
                self._publisher,
                dataset_id=self._dataset_id,
                source=row.file,
                assembly=row.assembly,
                sample_id=row.sample_id,
                sample_metadata=row.sample_metadata(),
                batch_id=batch_id,
            )

    async def _mark_submitted(self, key: str) -> None:
        await self._claims.update_one({"_id": key}, {"$set": {"submitted": True}})


async def watch(watcher: InboxWatcher, interval_s: float, stop: asyncio.Event) -> None:
    """Poll until stopped; errors are logged and the next poll tries again."""
    while not stop.is_set():
        try:
            await watcher.poll()
        except Exception:
            log.exception("inbox poll failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
