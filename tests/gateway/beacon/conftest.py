"""Inputs shared by the Beacon framework tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue, build_filter_catalogue
from cnvbeacon.gateway.beacon.identity import BeaconIdentity, BeaconOrganisation
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy

BASE_URL = "https://beacon.example.org/api"


@pytest.fixture
def identity() -> BeaconIdentity:
    return BeaconIdentity(
        id="org.cnvbeacon.test",
        name="cnvbeacon test Beacon",
        organisation=BeaconOrganisation(
            id="org.cnvbeacon",
            name="cnvbeacon developers",
            welcome_url="https://cnvbeacon.example.org",
            contact_url="mailto:beacon@cnvbeacon.example.org",
            logo_url="https://cnvbeacon.example.org/logo.svg",
        ),
        environment="test",
        version="0.1.0",
        create_date_time=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        update_date_time=datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC),
        description="Germline copy-number variants of the 1000 Genomes DRAGEN calls",
        welcome_url="https://cnvbeacon.example.org/beacon",
        alternative_url="https://cnvbeacon.example.org/beacon-authenticated",
        documentation_url="https://cnvbeacon.example.org/docs",
    )


@pytest.fixture(scope="session")
def catalogue() -> FilterCatalogue:
    return build_filter_catalogue()


@pytest.fixture
def policy() -> RequestPolicy:
    return RequestPolicy(max_limit=1000, default_limit=10)
