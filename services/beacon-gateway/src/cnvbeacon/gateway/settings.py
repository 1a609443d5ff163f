"""Settings of the Beacon gateway (environment prefix ``CNVB_``).

List and mapping settings read from the environment take JSON or a short text form:

* ``CNVB_PEERS``: Beacon v2 base URLs (ending in ``/api``) this gateway federates,
  ``["https://a.org/api", "https://b.org/api"]`` or ``https://a.org/api,https://b.org/api``;
* ``CNVB_DATASET_GRANULARITY``: the finest granularity per dataset where it is coarser than
  ``CNVB_DEFAULT_GRANULARITY``, ``{"controlled": "count"}`` or ``controlled=count,other=boolean``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from cnvbeacon.gateway.beacon.beacon_map import normalise_base_url
from cnvbeacon.gateway.beacon.configuration import SecurityConfiguration
from cnvbeacon.gateway.beacon.identity import BeaconIdentity, BeaconOrganisation, Environment
from cnvbeacon.gateway.beacon.spec import Granularity
from cnvbeacon.shared.settings import ServiceSettings, text_list


def _text_items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class GatewaySettings(ServiceSettings):
    port: int = Field(default=8080, ge=0, le=65535)
    query_url: str = "http://127.0.0.1:8081"
    ingest_url: str = "http://127.0.0.1:8082"
    # The URL others reach this gateway at; Beacon documents and handovers are absolute.
    public_url: str = "http://127.0.0.1:8080"
    # JSON calls to our own services give up after this long (Beacon networks drop members
    # slower than 5 s): the client gets a 504. Streamed pass-throughs must begin within it.
    upstream_timeout_s: float = Field(default=4.0, gt=0)
    # Connecting to one of our services gives up after this long (a 503).
    upstream_connect_timeout_s: float = Field(default=2.0, gt=0)
    # Streams from the query service (exports, pass-throughs) have no total limit: they are
    # cut only when it sends nothing for this long.
    upstream_stream_idle_s: float = Field(default=300.0, gt=0)
    max_page_size: int = Field(default=1000, ge=1, le=100_000)
    default_page_size: int = Field(default=10, ge=1)
    # Dataset metadata and population sizes are re-read from the services after this long.
    metadata_cache_s: float = Field(default=5.0, ge=0)

    # Access: the finest granularity answered, Beacon-wide and per dataset.
    default_granularity: Granularity = Granularity.RECORD
    dataset_granularity: Annotated[dict[str, Granularity], NoDecode] = Field(default_factory=dict)

    # Browser clients of other origins may read the public API (CORS): "*" for any, or
    # the origins allowed. Admin (ingest) endpoints are never opened to other origins.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])

    # Aggregator mode: other Beacon v2 instances every query is also sent to.
    peers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    peer_timeout_s: float = Field(default=5.0, gt=0)
    # A federated answer's whole time (Beacon networks drop members slower than 5 s): each
    # peer waits at most this long (and peer_timeout_s), our own part too.
    aggregation_budget_s: float = Field(default=4.5, gt=0)

    beacon_id: str = "org.cnvbeacon"
    beacon_name: str = "cnvbeacon: germline copy-number variants of the 1000 Genomes DRAGEN calls"
    beacon_description: str = (
        "Germline copy-number variants from the Illumina DRAGEN re-analysis of the 1000 Genomes "
        "30x samples, searchable by region, gene and cytoband, with population frequencies."
    )
    beacon_environment: Environment = "dev"
    beacon_version: str = "0.1.0"
    organisation_id: str = "cnvbeacon"
    organisation_name: str = "cnvbeacon developers"
    organisation_url: str = "https://cnvbeacon.org"
    organisation_contact_url: str = "mailto:beacon@cnvbeacon.org"
    created_at: datetime = datetime(2026, 11, 22, tzinfo=UTC)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _read_origins(cls, value: Any) -> Any:
        return text_list(value)

    @field_validator("peers", mode="before")
    @classmethod
    def _read_peers(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else _text_items(text)
        if isinstance(value, list):
            return [normalise_base_url(str(url)) for url in value]
        return value

    @field_validator("dataset_granularity", mode="before")
    @classmethod
    def _read_dataset_granularity(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            pairs = [item.split("=", 1) for item in _text_items(text)]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("use dataset=granularity pairs, e.g. controlled=count")
            return {name.strip(): granularity.strip() for name, granularity in pairs}
        return value

    def security(self) -> SecurityConfiguration:
        return SecurityConfiguration(
            default_granularity=self.default_granularity,
            dataset_granularity=dict(self.dataset_granularity),
        )

    def identity(self) -> BeaconIdentity:
        return BeaconIdentity(
            id=self.beacon_id,
            name=self.beacon_name,
            description=self.beacon_description,
            environment=self.beacon_environment,
            version=self.beacon_version,
            organisation=BeaconOrganisation(
                id=self.organisation_id,
                name=self.organisation_name,
                welcome_url=self.organisation_url,
                contact_url=self.organisation_contact_url,
            ),
            create_date_time=self.created_at,
            update_date_time=self.created_at,
            welcome_url=self.public_url,
            documentation_url=f"{self.public_url.rstrip('/')}/api/openapi.json",
        )
