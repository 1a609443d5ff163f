"""Settings of the query service (environment prefix ``CNVB_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from cnvbeacon.shared.settings import ServiceSettings


class QuerySettings(ServiceSettings):
    port: int = Field(default=8081, ge=0, le=65535)
    max_page_size: int = Field(default=5000, ge=1, le=100_000)
    default_page_size: int = Field(default=100, ge=1)
    # The read model's directory (one DuckDB file per replica: never share it).
    read_model_directory: Path = Path("var/read-model")
    # DuckDB's memory bound (larger sorts and joins spill to disk beside the file).
    read_model_memory_limit: str = Field(default="512MB", pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$")
    read_model_threads: int = Field(default=2, ge=1, le=64)
    # Concurrent reads (each on its own cursor and snapshot).
    read_model_readers: int = Field(default=4, ge=1, le=64)
    # How often the store's change logs are looked at besides the job-success events.
    read_model_poll_s: float = Field(default=2.0, gt=0)
    # At least this long between catch-ups: jobs succeeding meanwhile are applied together
    # (one scan of the calls for all of them) and are visible this much later at most.
    read_model_coalesce_s: float = Field(default=1.0, ge=0, le=4)
