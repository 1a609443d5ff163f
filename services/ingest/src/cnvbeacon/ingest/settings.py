"""Settings of the ingest service (environment prefix ``CNVB_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from cnvbeacon.ingest.sources import FetchLimits
from cnvbeacon.shared.settings import ServiceSettings, text_list


class IngestSettings(ServiceSettings):
    port: int = Field(default=8082, ge=0, le=65535)
    # No retryable writes: every write of a job is idempotent (deterministic call ids, $set)
    # or harmless to repeat (a version $inc), and a job that meets a transient error is
    # retried whole. The server keeps a record of each retryable write for 30 min, and
    # SecantusDB prunes the records with a scan, past 10,000 a sort, on every write: with
    # ~5 writes a job that grew to 12 % of the store's time by 2,000 jobs. A submission
    # whose insert meets a network error gets a 503, and is resubmitted.
    mongodb_retry_writes: bool = False
    # Admin endpoints (submitting jobs) are refused while no token is configured.
    admin_token: SecretStr = SecretStr("")
    run_worker: bool = True
    # Jobs a worker runs at once (the job messages it holds unacknowledged). Their calls
    # share one stream of inserts, joined into larger ones, which the store takes faster
    # than the same calls from several concurrent writers; a job is a whole file, so
    # keep it small.
    worker_prefetch: int = Field(default=4, ge=1, le=64)
    # Calls per batch a parser hands on, and at most per insert_many round trip.
    write_batch_size: int = Field(default=2000, ge=1, le=100_000)
    # Server-side directory jobs may name files in (paths must not escape it).
    inbox_dir: Path | None = None
    watch_inbox: bool = False
    inbox_poll_s: float = Field(default=2.0, gt=0)
    # Where a worker keeps a job's file while parsing it.
    scratch_dir: Path | None = None
    max_upload_bytes: int = Field(default=2 * 1024**3, ge=1)
    # Manifests and sample tables are read whole (uploads stream, limited by the above).
    max_request_body_bytes: int = Field(default=64 * 1024**2, ge=1024)
    # Backoff before a job that met a transient error goes back to the queue.
    retry_delay_s: float = Field(default=2.0, ge=0)
    # How long SIGTERM waits for the in-flight job before handing it back to the queue.
    shutdown_grace_s: float = Field(default=20.0, ge=0)
    url_fetch_timeout_s: float = Field(default=300.0, gt=0)
    url_max_redirects: int = Field(default=5, ge=0, le=20)
    # Hosts URL jobs may fetch from although they are not public addresses (a test's local
    # server, an internal mirror): names or addresses, a JSON list or comma-separated.
    url_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Creating a batch's jobs in the background: how long a replica's claim on a batch
    # lasts without progress, and how often batches left half-created are looked for.
    batch_lease_s: float = Field(default=60.0, gt=0)
    batch_resume_s: float = Field(default=30.0, gt=0)
    # The reconciler (one replica at a time): how often it runs; how long a job may stay
    # queued without the broker's confirm of its message before it is published again;
    # how long an upload no job names is kept.
    reconcile_s: float = Field(default=30.0, gt=0)
    publish_grace_s: float = Field(default=60.0, ge=0)
    upload_retention_s: float = Field(default=7 * 24 * 3600.0, ge=0)

    @field_validator("url_allowed_hosts", mode="before")
    @classmethod
    def _read_hosts(cls, value: Any) -> Any:
        return text_list(value)

    def fetch_limits(self) -> FetchLimits:
        return FetchLimits(
            timeout_s=self.url_fetch_timeout_s,
            max_bytes=self.max_upload_bytes,
            max_redirects=self.url_max_redirects,
            allowed_hosts=frozenset(self.url_allowed_hosts),
        )
