"""Gateway settings from the environment: peers and per-dataset granularity, two forms each."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cnvbeacon.gateway.beacon.spec import Granularity
from cnvbeacon.gateway.settings import GatewaySettings


@pytest.mark.parametrize(
    "value", ['["https://a.org/api/", "http://b.org/api"]', "https://a.org/api/ , http://b.org/api"]
)
def test_peers_from_json_or_comma_separated(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CNVB_PEERS", value)
    assert GatewaySettings().peers == ["https://a.org/api", "http://b.org/api"]


@pytest.mark.parametrize("value", ['{"ctrl": "count", "b": "boolean"}', "ctrl=count, b=boolean"])
def test_dataset_granularity_from_json_or_pairs(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CNVB_DATASET_GRANULARITY", value)
    security = GatewaySettings().security()
    assert security.granularity_for("ctrl") is Granularity.COUNT
    assert security.granularity_for("b") is Granularity.BOOLEAN
    assert security.granularity_for("open") is Granularity.RECORD


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CNVB_PEERS", "not-a-url"),
        ("CNVB_DATASET_GRANULARITY", "ctrl:count"),
        ("CNVB_DATASET_GRANULARITY", "ctrl=everything"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises((ValidationError, ValueError)):
        GatewaySettings()
