"""Who this Beacon is: the inputs of ``/``, ``/info``, ``/service-info`` and every ``meta``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.spec import SPEC_VERSION

Environment = Literal["prod", "test", "dev", "staging"]


class BeaconOrganisation(BaseModel):
    """The organisation running the Beacon.

    ``welcome_url`` is required because GA4GH service-info requires ``organization.url``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    welcome_url: str = Field(min_length=1)
    contact_url: str | None = None
    logo_url: str | None = None
    description: str | None = None
    address: str | None = None


class BeaconIdentity(BaseModel):
    """Identity and metadata of the Beacon instance (built from the gateway settings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, description="reverse-domain Beacon id, e.g. 'org.cnvbeacon'")
    name: str = Field(min_length=1)
    organisation: BeaconOrganisation
    environment: Environment = "dev"
    version: str = Field(min_length=1, description="version of this Beacon implementation")
    api_version: str = Field(default=SPEC_VERSION, pattern=r"^v\d+(\.\d+)*$")
    create_date_time: datetime
    update_date_time: datetime
    description: str | None = None
    welcome_url: str | None = None
    alternative_url: str | None = None
    documentation_url: str | None = None
