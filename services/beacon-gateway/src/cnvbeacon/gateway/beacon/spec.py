"""Constants and enumerations taken from the Beacon v2 specification."""

from __future__ import annotations

from enum import StrEnum

SPEC_VERSION = "v2.1.1"
SPEC_LABEL = f"Beacon {SPEC_VERSION}"
# Where the default model schemas of this version are published (for defaultSchema references).
SPEC_MODEL_BASE_URL = (
    "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/"
    f"{SPEC_VERSION}/models/json/beacon-v2-default-model"
)


class Granularity(StrEnum):
    """Level of detail of a response, from the coarsest to the finest."""

    BOOLEAN = "boolean"
    COUNT = "count"
    RECORD = "record"


_GRANULARITY_ORDER = (Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD)


def coarser_granularity(requested: Granularity, allowed: Granularity) -> Granularity:
    """The granularity a response may have: the requested one, capped at the allowed one."""
    return min(requested, allowed, key=_GRANULARITY_ORDER.index)


class IncludeResultsetResponses(StrEnum):
    """Which result sets a record-level response lists (default ``HIT``)."""

    ALL = "ALL"
    HIT = "HIT"
    MISS = "MISS"
    NONE = "NONE"


class ProductionStatus(StrEnum):
    """``maturityAttributes.productionStatus`` of the configuration."""

    DEV = "DEV"
    TEST = "TEST"
    PROD = "PROD"


class SecurityLevel(StrEnum):
    """``securityAttributes.securityLevels`` of the configuration."""

    PUBLIC = "PUBLIC"
    REGISTERED = "REGISTERED"
    CONTROLLED = "CONTROLLED"


# Where the framework schemas of this version are published (for "$schema" members).
SPEC_FRAMEWORK_BASE_URL = (
    f"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/{SPEC_VERSION}/framework/json"
)
