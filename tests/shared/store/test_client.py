"""The store client follows the service's settings: the ingest service writes without the
driver's retryable writes (SecantusDB's per-write bookkeeping of them grows with every
write), the other services keep the driver default."""

from __future__ import annotations

import pytest

from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.store.client import open_client
from tests.conftest import Backends

pytestmark = pytest.mark.integration


async def test_ingest_writes_without_retryable_writes(backends_env: Backends) -> None:
    slice_ = {"mongodb_url": backends_env.mongodb_url, "mongodb_database": backends_env.database}
    ingest = open_client(IngestSettings.model_validate(slice_))
    query = open_client(QuerySettings.model_validate(slice_))
    try:
        assert ingest.options.retry_writes is False
        assert query.options.retry_writes is True
        jobs = ingest[backends_env.database]["jobs"]
        await jobs.insert_one({"_id": "job-1", "state": "queued"})
        updated = await jobs.update_one({"_id": "job-1"}, {"$set": {"state": "running"}})
        assert updated.modified_count == 1
        assert await jobs.find_one({"_id": "job-1"}) == {"_id": "job-1", "state": "running"}
    finally:
        await ingest.close()
        await query.close()
