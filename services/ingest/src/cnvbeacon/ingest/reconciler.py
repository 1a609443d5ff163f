"""Finishing what a crash or an outage left half-done, in one replica at a time (a lease in
MongoDB): jobs recorded but never confirmed on the queue are published again, and uploads
no job names are deleted once older than the retention period. (Batches left half-created
are resumed by batches.BatchCreator.)"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from pymongo.errors import DuplicateKeyError

from cnvbeacon.ingest.jobs import JobStore
from cnvbeacon.ingest.submission import QueueUnavailableError, publish
from cnvbeacon.ingest.uploads import UploadStore
from cnvbeacon.shared.messaging import Publisher
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import LEASES

log = logging.getLogger(__name__)
LEASE_ID: Final = "ingest-reconciler"


class Lease:
    """A named lease held by one owner until it expires or is renewed."""

    def __init__(self, db: Database, name: str, owner: str) -> None:
        self._leases = db[LEASES]
        self._name = name
        self.owner = owner

    async def acquire(self, seconds: float) -> bool:
        """Take or renew the lease for `seconds`; False while another owner holds it."""
        now = datetime.now(UTC)
        until = now + timedelta(seconds=seconds)
        taken = await self._leases.update_one(
            {"_id": self._name, "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
            {"$set": {"owner": self.owner, "until": until}},
        )
        if taken.matched_count:
            return True
        try:
            await self._leases.insert_one({"_id": self._name, "owner": self.owner, "until": until})
        except DuplicateKeyError:
            return False  # held by another owner
        return True

    async def release(self) -> None:
        """Give the lease up (at shutdown: another replica need not wait for its expiry)."""
        await self._leases.delete_one({"_id": self._name, "owner": self.owner})


class Reconciler:
    def __init__(
        self,
        db: Database,
        jobs: JobStore,
        uploads: UploadStore,
        publisher: Publisher,
        *,
        publish_grace_s: float,
        upload_retention_s: float,
    ) -> None:
        self._jobs = jobs
        self._uploads = uploads
        self._publisher = publisher
        self._publish_grace_s = publish_grace_s
        self._upload_retention_s = upload_retention_s
        self.lease = Lease(db, LEASE_ID, f"reconciler-{uuid.uuid4().hex[:12]}")

    async def run_once(self, lease_s: float) -> dict[str, int]:
        """One round, if this replica holds the lease: what it republished and deleted."""
        if not await self.lease.acquire(lease_s):
            return {"republished": 0, "uploads_deleted": 0}
        return {
            "republished": await self.republish_unconfirmed(),
            "uploads_deleted": await self.delete_unreferenced_uploads(),
        }

    async def republish_unconfirmed(self) -> int:
        republished = 0
        for job in await self._jobs.unpublished(self._publish_grace_s):
            try:
                await publish(self._jobs, self._publisher, job, fail_unconfirmed=False)
            except QueueUnavailableError:
                log.warning("the broker is still unavailable; republishing later")
                break
            republished += 1
            log.info("republished a job its submitter never confirmed", extra={"job": job.id})
        return republished

    async def delete_unreferenced_uploads(self) -> int:
        referenced = await self._jobs.referenced_files()
        older = datetime.now(UTC) - timedelta(seconds=self._upload_retention_s)
        deleted = 0
        for file_id in await self._uploads.stored_before(older):
            if file_id not in referenced:
                await self._uploads.forget(file_id)
                deleted += 1
        if deleted:
            log.info("deleted uploads no job names", extra={"uploads": deleted})
        return deleted
