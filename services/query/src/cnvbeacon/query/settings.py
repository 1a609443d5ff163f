"""Settings of the query service (environment prefix ``CNVB_``)."""

from __future__ import annotations

from pydantic import Field

from cnvbeacon.shared.settings import ServiceSettings


class QuerySettings(ServiceSettings):
    port: int = Field(default=8081, ge=0, le=65535)
    max_page_size: int = Field(default=1000, ge=1, le=100_000)
    default_page_size: int = Field(default=100, ge=1)
    # Count summaries (see cnvbeacon.query.summaries): off, every count scans.
    count_summaries: bool = True
    # How often stale summaries are looked for and rebuilt.
    summary_poll_s: float = Field(default=10.0, gt=0)
