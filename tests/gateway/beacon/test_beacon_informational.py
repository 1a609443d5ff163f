"""/, /info, /service-info, /configuration, /entry_types, /map and /filtering_terms."""

from __future__ import annotations

import copy

import pytest

from cnvbeacon.gateway.beacon.beacon_map import build_map_response, normalise_base_url
from cnvbeacon.gateway.beacon.configuration import (
    PER_DATASET_GRANULARITY_MEMBER,
    SecurityConfiguration,
    build_configuration_response,
    build_entry_types_response,
    production_status_for,
)
from cnvbeacon.gateway.beacon.entry_types import ENTRY_TYPES
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.filtering_terms import build_filtering_terms_response
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.info import build_info_response, build_service_info
from cnvbeacon.gateway.beacon.ontology_resources import ONTOLOGY_RESOURCES
from cnvbeacon.gateway.beacon.spec import Granularity, ProductionStatus, SecurityLevel
from tests.gateway.beacon.conftest import BASE_URL
from tests.gateway.schema_validation import ValidationError, load_example, validate

RESPONSES = "framework/json/responses"

# Every sample-level entry reaches the others and its variants, a variant its carriers, a
# collection all of its members' entries.
RECORD_PATHS = ("g_variants", "individuals", "biosamples", "analyses", "runs")
EXPECTED_CROSS_ENDPOINTS = {
    f"{source}/{{id}}/{returned}"
    for source in (*RECORD_PATHS, "datasets", "cohorts")
    for returned in RECORD_PATHS
    if source != returned
}


def test_info_response_is_valid_and_describes_the_beacon(identity: BeaconIdentity) -> None:
    info = build_info_response(identity)
    validate(info, f"{RESPONSES}/beaconInfoResponse.json")
    response = info["response"]
    assert response["id"] == identity.id
    assert response["apiVersion"] == "v2.1.1"
    assert response["environment"] == "test"
    assert response["organization"]["welcomeUrl"] == identity.organisation.welcome_url
    assert response["createDateTime"] == "2025-01-02T03:04:05Z"
    assert info["meta"] == {"beaconId": identity.id, "apiVersion": "v2.1.1", "returnedSchemas": []}


def test_info_without_optional_members_is_valid(identity: BeaconIdentity) -> None:
    minimal = identity.model_copy(
        update={"description": None, "welcome_url": None, "alternative_url": None}
    )
    info = build_info_response(minimal)
    validate(info, f"{RESPONSES}/beaconInfoResponse.json")
    assert "welcomeUrl" not in info["response"]


def test_info_response_missing_beacon_id_fails_validation(identity: BeaconIdentity) -> None:
    info = build_info_response(identity)
    del info["meta"]["beaconId"]
    with pytest.raises(ValidationError, match="'beaconId' is a required property"):
        validate(info, f"{RESPONSES}/beaconInfoResponse.json")


def test_info_response_with_unknown_environment_fails_validation(
    identity: BeaconIdentity,
) -> None:
    info = build_info_response(identity)
    info["response"]["environment"] = "production"
    with pytest.raises(ValidationError, match="is not one of"):
        validate(info, f"{RESPONSES}/beaconInfoResponse.json")


def test_service_info_is_ga4gh_service_info_of_type_beacon(identity: BeaconIdentity) -> None:
    service_info = build_service_info(identity)
    validate(service_info, f"{RESPONSES}/ga4gh-service-info-1-0-0-schema.json")
    assert service_info["type"] == {"group": "org.ga4gh", "artifact": "beacon", "version": "2.1.1"}
    assert service_info["organization"] == {
        "name": identity.organisation.name,
        "url": identity.organisation.welcome_url,
    }
    assert service_info["updatedAt"] == "2025-06-07T08:09:10Z"
    assert service_info["version"] == identity.version


def test_service_info_without_organisation_url_fails_validation(identity: BeaconIdentity) -> None:
    service_info = build_service_info(identity)
    del service_info["organization"]["url"]
    with pytest.raises(ValidationError, match="'url' is a required property"):
        validate(service_info, f"{RESPONSES}/ga4gh-service-info-1-0-0-schema.json")


def test_configuration_declares_every_entry_type(identity: BeaconIdentity) -> None:
    security = SecurityConfiguration(
        default_granularity=Granularity.RECORD,
        dataset_granularity={"1kgp-dragen": Granularity.COUNT},
        security_levels=(SecurityLevel.PUBLIC,),
    )
    configuration = build_configuration_response(identity, security)
    validate(configuration, f"{RESPONSES}/beaconConfigurationResponse.json")
    response = configuration["response"]
    assert response["maturityAttributes"] == {"productionStatus": "TEST"}
    assert response["securityAttributes"] == {
        "defaultGranularity": "record",
        "securityLevels": ["PUBLIC"],
        PER_DATASET_GRANULARITY_MEMBER: {"1kgp-dragen": "count"},
    }
    entry_types = response["entryTypes"]
    assert set(entry_types) == {
        "genomicVariant",
        "individual",
        "biosample",
        "analysis",
        "run",
        "dataset",
        "cohort",
    }
    for entry_type_id, definition in entry_types.items():
        assert definition["id"] == entry_type_id
        assert definition["partOfSpecification"] == "Beacon v2.1.1"
        assert definition["ontologyTermForThisType"]["id"]
        assert definition["additionallySupportedSchemas"] == []
        assert definition["defaultSchema"]["referenceToSchemaDefinition"].endswith(
            "/defaultSchema.json"
        )
    assert entry_types["genomicVariant"]["defaultSchema"]["referenceToSchemaDefinition"].endswith(
        "/v2.1.1/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
    )
    assert [m["id"] for m in entry_types["cohort"]["aCollectionOf"]] == ["individual"]


def test_per_dataset_granularity_falls_back_to_the_default() -> None:
    security = SecurityConfiguration(
        default_granularity=Granularity.COUNT, dataset_granularity={"a": Granularity.RECORD}
    )
    assert security.granularity_for("a") is Granularity.RECORD
    assert security.granularity_for("b") is Granularity.COUNT


@pytest.mark.parametrize(
    ("environment", "status"),
    [
        ("prod", ProductionStatus.PROD),
        ("staging", ProductionStatus.TEST),
        ("test", ProductionStatus.TEST),
        ("dev", ProductionStatus.DEV),
    ],
)
def test_production_status_follows_the_environment(
    environment: str, status: ProductionStatus
) -> None:
    assert production_status_for(environment) is status  # type: ignore[arg-type]


def test_configuration_production_status_can_be_overridden(identity: BeaconIdentity) -> None:
    configuration = build_configuration_response(
        identity, SecurityConfiguration(), ProductionStatus.PROD
    )
    assert configuration["response"]["maturityAttributes"]["productionStatus"] == "PROD"


def test_configuration_without_schema_member_fails_validation(identity: BeaconIdentity) -> None:
    configuration = build_configuration_response(identity, SecurityConfiguration())
    del configuration["response"]["$schema"]
    with pytest.raises(ValidationError, match="'\\$schema' is a required property"):
        validate(configuration, f"{RESPONSES}/beaconConfigurationResponse.json")


def test_entry_type_without_default_schema_fails_validation(identity: BeaconIdentity) -> None:
    entry_types = build_entry_types_response(identity)
    validate(entry_types, f"{RESPONSES}/beaconEntryTypesResponse.json")
    broken = copy.deepcopy(entry_types)
    del broken["response"]["entryTypes"]["individual"]["defaultSchema"]
    with pytest.raises(ValidationError, match="'defaultSchema' is a required property"):
        validate(broken, f"{RESPONSES}/beaconEntryTypesResponse.json")


def test_entry_types_response_matches_the_configuration(identity: BeaconIdentity) -> None:
    configuration = build_configuration_response(identity, SecurityConfiguration())
    entry_types = build_entry_types_response(identity)
    assert entry_types["response"]["entryTypes"] == configuration["response"]["entryTypes"]


def test_map_lists_every_endpoint_as_absolute_urls(identity: BeaconIdentity) -> None:
    beacon_map = build_map_response(identity, BASE_URL + "/")
    validate(beacon_map, f"{RESPONSES}/beaconMapResponse.json")
    endpoint_sets = beacon_map["response"]["endpointSets"]
    assert len(endpoint_sets) == len(ENTRY_TYPES)
    cross_endpoints = set()
    for entry_type in ENTRY_TYPES:
        endpoint_set = endpoint_sets[f"{entry_type.id}Endpoints"]
        assert endpoint_set["entryType"] == entry_type.id
        assert endpoint_set["rootUrl"] == f"{BASE_URL}/{entry_type.path}"
        assert endpoint_set["singleEntryUrl"] == f"{BASE_URL}/{entry_type.path}/{{id}}"
        for endpoint in endpoint_set["endpoints"].values():
            assert endpoint["url"].startswith(BASE_URL + "/")
            cross_endpoints.add(endpoint["url"].removeprefix(BASE_URL + "/"))
            returned_path = endpoint["url"].rsplit("/", 1)[1]
            assert endpoint["returnedEntryType"] == next(
                e.id for e in ENTRY_TYPES if e.path == returned_path
            )
    assert cross_endpoints == EXPECTED_CROSS_ENDPOINTS
    assert len(cross_endpoints) == 30
    # Everything the spec's example map offers for these entry types is there too.
    example = load_example("models/json/beacon-v2-default-model/beaconMap.json")
    for example_set in example["endpointSets"].values():
        for endpoint in example_set["endpoints"].values():
            path = endpoint["url"].removeprefix("https://exampleBeacons.org/")
            if path.split("/")[0] in (*RECORD_PATHS, "datasets", "cohorts"):
                assert path in cross_endpoints


def test_map_without_endpoint_sets_fails_validation(identity: BeaconIdentity) -> None:
    beacon_map = build_map_response(identity, BASE_URL)
    beacon_map["response"]["endpointSets"] = {}
    with pytest.raises(ValidationError, match=r"should be non-empty|does not have enough"):
        validate(beacon_map, f"{RESPONSES}/beaconMapResponse.json")


@pytest.mark.parametrize("base_url", ["beacon.example.org", "/api", "ftp://example.org/api", ""])
def test_map_rejects_a_base_url_that_is_not_absolute(base_url: str) -> None:
    with pytest.raises(ValueError, match="absolute"):
        normalise_base_url(base_url)


def test_filtering_terms_response_lists_terms_and_resources(
    identity: BeaconIdentity, catalogue: FilterCatalogue
) -> None:
    terms = catalogue.filtering_terms()
    response = build_filtering_terms_response(identity, terms)
    validate(response, f"{RESPONSES}/beaconFilteringTermsResponse.json")
    listed = response["response"]["filteringTerms"]
    assert [term["id"] for term in listed] == [term.id for term in terms]
    by_id = {term["id"]: term for term in listed}
    assert by_id["NCIT:C16576"] == {
        "type": "NCI Thesaurus OBO Edition",
        "id": "NCIT:C16576",
        "label": "female",
        "scopes": ["individual", "biosample", "run", "analysis", "genomicVariant"],
    }
    assert by_id["EFO:0030067"]["scopes"] == ["genomicVariant"]
    assert by_id["population:GBR"]["type"] == "custom"
    assert by_id["sex"]["values"] == ["female", "male", "unknown"]
    assert [r["nameSpacePrefix"] for r in response["response"]["resources"]] == [
        r.namespace_prefix for r in ONTOLOGY_RESOURCES
    ]


def test_filtering_term_without_type_fails_validation(
    identity: BeaconIdentity, catalogue: FilterCatalogue
) -> None:
    response = build_filtering_terms_response(identity, catalogue.filtering_terms())
    del response["response"]["filteringTerms"][0]["type"]
    with pytest.raises(ValidationError, match="'type' is a required property"):
        validate(response, f"{RESPONSES}/beaconFilteringTermsResponse.json")
