"""Service settings, read from the environment (prefix ``CNVB_``).

Every service has one settings class derived from :class:`ServiceSettings`; nothing else
reads the environment. ``MONGODB_URL`` and ``AMQP_URL`` are accepted as well as their
prefixed names because they are the conventional names operators set.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


def text_list(value: Any) -> Any:
    """A list setting given as text (an environment variable): a JSON list, or items
    separated by commas. Other values pass through to validation."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


class ServiceSettings(BaseSettings):
    """Settings every service shares."""

    model_config = SettingsConfigDict(env_prefix="CNVB_", extra="ignore", frozen=True)

    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=AliasChoices("CNVB_MONGODB_URL", "MONGODB_URL"),
    )
    mongodb_database: str = "cnvbeacon"
    # Server selection timeout: how long a store call waits for an unreachable server.
    mongodb_timeout_ms: int = Field(default=3000, ge=100)
    # The driver's retryable writes (its default; the ingest service turns them off, see
    # IngestSettings).
    mongodb_retry_writes: bool = True
    # Pooled connections idle this long are closed by the driver before a server, proxy or
    # firewall closes them under it (a write on such a connection fails: writes are not
    # retried by the ingest service).
    mongodb_max_idle_ms: int = Field(default=60_000, ge=1000)
    # Request bodies read whole (JSON, manifests, tables; not streamed uploads) larger than
    # this are refused with a 413.
    max_request_body_bytes: int = Field(default=1024**2, ge=1024)
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/",
        validation_alias=AliasChoices("CNVB_AMQP_URL", "AMQP_URL"),
    )
    # Prefix of every exchange and queue name, so that deployments or test runs sharing one
    # broker never see each other's messages.
    amqp_namespace: str = Field(default="cnvbeacon", pattern=r"^[A-Za-z0-9_.-]+$")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    log_level: LogLevel = "INFO"
    log_json: bool = True
    default_dataset: str = Field(default="1kgp-dragen", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    default_assembly: str = "GRCh38"
    # How long /readyz waits for each dependency before calling it unhealthy.
    readiness_timeout_s: float = Field(default=2.0, gt=0)
