"""Defaults and limits applied when parsing requests (configured by the gateway)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cnvbeacon.gateway.beacon.spec import Granularity


class RequestPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_limit: int = Field(default=1000, ge=1, description="largest page size a client may ask")
    default_limit: int = Field(default=10, ge=1, description="page size when none is asked")
    default_granularity: Granularity = Granularity.BOOLEAN

    @model_validator(mode="after")
    def _default_within_maximum(self) -> Self:
        if self.default_limit > self.max_limit:
            raise ValueError("default_limit must not exceed max_limit")
        return self
