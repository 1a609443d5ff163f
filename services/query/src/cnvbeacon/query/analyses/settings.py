"""Settings of the population analyses (environment prefix ``CNVB_ANALYSIS_``).

Kept apart from QuerySettings so that the analyses plug into the query service without
touching its settings; they could move there under the same names.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalysisSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNVB_ANALYSIS_", extra="ignore", frozen=True)

    # Consume analysis requests in this process (one or more query replicas may).
    worker: bool = True
    # A request is computed once the dataset's data_version has not changed, and no ingest
    # job of it has been running, for this long (many jobs finishing -> one analysis) ...
    stable_s: float = Field(default=5.0, ge=0)
    # ... or after this long anyway (RabbitMQ closes consumers holding a message ~30 min).
    max_wait_s: float = Field(default=600.0, gt=0)
    poll_s: float = Field(default=0.5, gt=0)
    # Requests held at once; those of one dataset wait for its analysis and are coalesced.
    prefetch: int = Field(default=32, ge=1, le=1000)
    # Decoded result tables and cohort snapshots kept in memory for fast answers.
    cached_tables: int = Field(default=32, ge=1)
    cached_cohorts: int = Field(default=2, ge=1)
    cached_response_bytes: int = Field(default=128 * 1024 * 1024, ge=0)
    # Backoff before a failed request goes back to the queue.
    retry_delay_s: float = Field(default=5.0, ge=0)
