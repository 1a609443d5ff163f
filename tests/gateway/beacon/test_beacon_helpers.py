"""Small helpers: granularity capping, timestamps, entry type lookups, identity checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from cnvbeacon.gateway.beacon.entry_types import (
    ENTRY_TYPES,
    GENOMIC_VARIANT,
    entry_type_by_id,
    entry_type_by_path,
    normalise_scope,
)
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.spec import Granularity, coarser_granularity
from cnvbeacon.gateway.beacon.timestamps import format_timestamp

B, C, R = Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD


@pytest.mark.parametrize(
    ("requested", "allowed", "returned"),
    [(R, R, R), (R, C, C), (R, B, B), (C, R, C), (B, R, B), (C, B, B), (C, C, C)],
)
def test_granularity_is_capped_at_the_allowed_one(
    requested: Granularity, allowed: Granularity, returned: Granularity
) -> None:
    assert coarser_granularity(requested, allowed) is returned


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "2025-01-02T03:04:05Z"),
        (datetime(2025, 1, 2, 3, 4, 5, 999, tzinfo=UTC), "2025-01-02T03:04:05Z"),
        (datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05Z"),
        (
            datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2025-01-02T03:04:05+02:00",
        ),
    ],
)
def test_timestamps_carry_an_offset(moment: datetime, text: str) -> None:
    assert format_timestamp(moment) == text


def test_entry_type_lookups() -> None:
    for entry_type in ENTRY_TYPES:
        assert entry_type_by_id(entry_type.id) is entry_type
        assert entry_type_by_path(entry_type.path) is entry_type
    with pytest.raises(KeyError):
        entry_type_by_path("variants")
    assert GENOMIC_VARIANT.returned_schema() == {
        "entityType": "genomicVariant",
        "schema": "ga4gh-beacon-variant-v2.1.1",
    }


@pytest.mark.parametrize(
    ("scope", "entry_type_id"),
    [("g_variants", "genomicVariant"), ("genomicVariant", "genomicVariant"), ("runs", "run")],
)
def test_scopes_by_id_or_path(scope: str, entry_type_id: str) -> None:
    assert normalise_scope(scope) == entry_type_id


def test_unknown_scope() -> None:
    assert normalise_scope("variants") is None


def test_identity_refuses_an_api_version_without_v(identity: BeaconIdentity) -> None:
    with pytest.raises(ValidationError, match="api_version"):
        BeaconIdentity.model_validate({**identity.model_dump(), "api_version": "2.1.1"})


def test_identity_refuses_an_unknown_environment(identity: BeaconIdentity) -> None:
    with pytest.raises(ValidationError, match="environment"):
        BeaconIdentity.model_validate({**identity.model_dump(), "environment": "production"})


def test_policy_default_limit_cannot_exceed_the_maximum() -> None:
    with pytest.raises(ValidationError, match="default_limit"):
        RequestPolicy(max_limit=5, default_limit=10)
