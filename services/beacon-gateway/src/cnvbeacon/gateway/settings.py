"""Settings of the Beacon gateway (environment prefix ``CNVB_``)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from cnvbeacon.gateway.beacon.identity import BeaconIdentity, BeaconOrganisation, Environment
from cnvbeacon.shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    port: int = Field(default=8080, ge=0, le=65535)
    query_url: str = "http://127.0.0.1:8081"
    ingest_url: str = "http://127.0.0.1:8082"
    # The URL others reach this gateway at; Beacon documents and handovers are absolute.
    public_url: str = "http://127.0.0.1:8080"
    # Calls to our own services and to peers give up after this long (Beacon networks
    # drop members slower than 5 s).
    upstream_timeout_s: float = Field(default=4.0, gt=0)
    max_page_size: int = Field(default=1000, ge=1, le=100_000)

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
        )
