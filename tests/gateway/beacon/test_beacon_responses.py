"""Query response envelopes: meta, boolean, count, result sets, collections, errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cnvbeacon.gateway.beacon.entry_types import DATASET, GENOMIC_VARIANT, INDIVIDUAL
from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.get_request import parse_get_request, parse_get_request_leniently
from cnvbeacon.gateway.beacon.handovers import Handover
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.post_request import (
    parse_post_request,
    parse_post_request_leniently,
)
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.response_meta import build_received_request_summary
from cnvbeacon.gateway.beacon.responses import (
    build_boolean_response,
    build_collections_response,
    build_count_response,
    build_error_response,
    build_request_error_response,
)
from cnvbeacon.gateway.beacon.result_sets import (
    ResultSet,
    build_resultsets_response,
    select_result_sets,
)
from cnvbeacon.gateway.beacon.spec import IncludeResultsetResponses
from tests.gateway.schema_validation import ValidationError, validate

RESPONSES = "framework/json/responses"
VCF_HANDOVER = Handover(
    type_id="EDAM:3016",
    type_label="VCF",
    url="https://beacon.example.org/downloads/1kgp.vcf.gz",
    note="All calls of the dataset",
)
GET_PARAMETERS = {
    "referenceName": "17",
    "start": "43044294,43045000",
    "end": "43125482,43126000",
    "variantType": "DEL",
    "filters": "NCIT:C16576,population=GBR",
    "skip": "1",
    "limit": "5",
    "requestedGranularity": "record",
    "includeResultsetResponses": "ALL",
    "testMode": "true",
    "datasetIds": "1kgp-dragen",
    "requestedSchema": "ga4gh-beacon-variant-v2.1.1",
}


@pytest.fixture
def query(catalogue: FilterCatalogue, policy: RequestPolicy) -> BeaconQuery:
    return parse_get_request(GET_PARAMETERS, catalogue, policy)


def result_sets() -> list[ResultSet]:
    return [
        ResultSet(id="1kgp-dragen", count=3, results=[{"id": "v1"}, {"id": "v2"}]),
        ResultSet(id="synthetic", count=0),
        ResultSet(id="second", count=1, results=[{"id": "v9"}], handovers=[VCF_HANDOVER]),
    ]


def test_request_summary_echoes_the_parsed_request(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    summary = build_received_request_summary(query, identity)
    validate(summary, f"{RESPONSES}/sections/beaconReceivedRequestSummary.json")
    assert summary == {
        "apiVersion": identity.api_version,
        "requestedSchemas": [{"schema": "ga4gh-beacon-variant-v2.1.1"}],
        "pagination": {"skip": 1, "limit": 5},
        "requestedGranularity": "record",
        "filters": ["NCIT:C16576", "population=GBR"],
        "requestParameters": {
            "g_variant": {
                "referenceName": "17",
                "start": [43044294, 43045000],
                "end": [43125482, 43126000],
                "variantType": "DEL",
            },
            "datasets": {"datasetIds": ["1kgp-dragen"]},
        },
        "includeResultsetResponses": "ALL",
        "testMode": True,
    }


def test_request_summary_echoes_the_clients_api_version(
    identity: BeaconIdentity, catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse_post_request({"meta": {"apiVersion": "v2.0"}}, catalogue, policy)
    assert build_received_request_summary(query, identity)["apiVersion"] == "v2.0"


def test_flat_request_parameters_would_fail_the_summary_schema(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    summary = build_received_request_summary(query, identity)
    summary["requestParameters"] = summary["requestParameters"]["g_variant"]
    with pytest.raises(ValidationError, match="is not of type 'object'"):
        validate(summary, f"{RESPONSES}/sections/beaconReceivedRequestSummary.json")


@pytest.mark.parametrize(("count", "exists"), [(0, False), (1, True), (12345, True)])
def test_boolean_response_answers_exists_from_the_count(
    identity: BeaconIdentity, query: BeaconQuery, count: int, exists: bool
) -> None:
    response = build_boolean_response(identity, query, GENOMIC_VARIANT, count)
    validate(response, f"{RESPONSES}/beaconBooleanResponse.json")
    assert response["responseSummary"] == {"exists": exists}
    assert response["meta"]["returnedGranularity"] == "boolean"
    assert response["meta"]["returnedSchemas"] == [
        {"entityType": "genomicVariant", "schema": GENOMIC_VARIANT.schema_id}
    ]
    assert "beaconHandovers" not in response


@pytest.mark.parametrize(("count", "exists"), [(0, False), (7, True)])
def test_count_response(
    identity: BeaconIdentity, query: BeaconQuery, count: int, exists: bool
) -> None:
    response = build_count_response(
        identity, query, INDIVIDUAL, count, handovers=[VCF_HANDOVER], info={"note": "x"}
    )
    validate(response, f"{RESPONSES}/beaconCountResponse.json")
    assert response["responseSummary"] == {"exists": exists, "numTotalResults": count}
    assert response["meta"]["returnedGranularity"] == "count"
    assert response["beaconHandovers"] == [
        {
            "handoverType": {"id": "EDAM:3016", "label": "VCF"},
            "url": "https://beacon.example.org/downloads/1kgp.vcf.gz",
            "note": "All calls of the dataset",
        }
    ]
    assert response["info"] == {"note": "x"}


def test_negative_counts_are_refused(identity: BeaconIdentity, query: BeaconQuery) -> None:
    with pytest.raises(ValueError, match="negative"):
        build_count_response(identity, query, INDIVIDUAL, -1)
    with pytest.raises(ValueError, match="negative"):
        build_boolean_response(identity, query, INDIVIDUAL, -1)
    with pytest.raises(ValueError, match="negative"):
        ResultSet(id="a", count=-1)


def test_count_response_missing_beacon_id_fails_validation(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    response = build_count_response(identity, query, INDIVIDUAL, 3)
    del response["meta"]["beaconId"]
    with pytest.raises(ValidationError, match="'beaconId' is a required property"):
        validate(response, f"{RESPONSES}/beaconCountResponse.json")


def test_count_response_without_total_fails_validation(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    response = build_count_response(identity, query, INDIVIDUAL, 3)
    del response["responseSummary"]["numTotalResults"]
    with pytest.raises(ValidationError, match="'numTotalResults' is a required property"):
        validate(response, f"{RESPONSES}/beaconCountResponse.json")


@pytest.mark.parametrize(
    ("include", "listed"),
    [
        (IncludeResultsetResponses.ALL, ["1kgp-dragen", "synthetic", "second"]),
        (IncludeResultsetResponses.HIT, ["1kgp-dragen", "second"]),
        (IncludeResultsetResponses.MISS, ["synthetic"]),
        (IncludeResultsetResponses.NONE, []),
    ],
)
def test_resultsets_response_lists_the_requested_sets(
    identity: BeaconIdentity,
    query: BeaconQuery,
    include: IncludeResultsetResponses,
    listed: list[str],
) -> None:
    requested = query.model_copy(update={"include_resultset_responses": include})
    response = build_resultsets_response(identity, requested, GENOMIC_VARIANT, result_sets())
    validate(response, f"{RESPONSES}/beaconResultsetsResponse.json")
    assert [s["id"] for s in response["response"]["resultSets"]] == listed
    # The summary counts every set, listed or not.
    assert response["responseSummary"] == {"exists": True, "numTotalResults": 4}
    assert response["meta"]["returnedGranularity"] == "record"
    assert response["meta"]["receivedRequestSummary"]["includeResultsetResponses"] == include


def test_result_set_members(identity: BeaconIdentity, query: BeaconQuery) -> None:
    response = build_resultsets_response(identity, query, GENOMIC_VARIANT, result_sets())
    first, empty, second = response["response"]["resultSets"]
    assert first == {
        "id": "1kgp-dragen",
        "setType": "dataset",
        "exists": True,
        "resultsCount": 3,
        "results": [{"id": "v1"}, {"id": "v2"}],
    }
    assert empty["exists"] is False
    assert empty["results"] == []
    assert second["resultsHandovers"] == [VCF_HANDOVER.to_json()]


def test_resultsets_response_without_hits(identity: BeaconIdentity, query: BeaconQuery) -> None:
    response = build_resultsets_response(
        identity, query, GENOMIC_VARIANT, [ResultSet(id="a", count=0)]
    )
    validate(response, f"{RESPONSES}/beaconResultsetsResponse.json")
    assert response["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_result_set_with_more_results_than_its_count_is_refused() -> None:
    with pytest.raises(ValueError, match="2 results but a count of 1"):
        ResultSet(id="a", count=1, results=[{"id": "1"}, {"id": "2"}])


def test_select_result_sets_keeps_the_order() -> None:
    sets = result_sets()
    assert select_result_sets(sets, IncludeResultsetResponses.ALL) == sets


def test_result_set_without_set_type_fails_validation(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    response = build_resultsets_response(identity, query, GENOMIC_VARIANT, result_sets())
    del response["response"]["resultSets"][0]["setType"]
    with pytest.raises(ValidationError, match="'setType' is a required property"):
        validate(response, f"{RESPONSES}/beaconResultsetsResponse.json")


def test_collections_response(identity: BeaconIdentity, query: BeaconQuery) -> None:
    collections = [{"id": "1kgp-dragen", "name": "1kGP DRAGEN CNV calls"}]
    response = build_collections_response(identity, query, DATASET, collections, 2)
    validate(response, f"{RESPONSES}/beaconCollectionsResponse.json")
    assert response["response"] == {"collections": collections}
    assert response["responseSummary"] == {"exists": True, "numTotalResults": 2}
    assert response["meta"]["returnedSchemas"] == [DATASET.returned_schema()]


def test_collections_response_refuses_more_collections_than_the_total(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    with pytest.raises(ValueError, match="only 0 in total"):
        build_collections_response(identity, query, DATASET, [{"id": "a", "name": "a"}], 0)


def test_collections_response_without_collections_fails_validation(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    response = build_collections_response(identity, query, DATASET, [], 0)
    validate(response, f"{RESPONSES}/beaconCollectionsResponse.json")
    del response["response"]["collections"]
    with pytest.raises(ValidationError, match="'collections' is a required property"):
        validate(response, f"{RESPONSES}/beaconCollectionsResponse.json")


def test_error_response_for_a_refused_get_request(
    identity: BeaconIdentity, catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    parameters = {"referenceName": "1", "referenceBases": "A", "limit": "20", "skip": "1"}
    with pytest.raises(BeaconRequestError) as caught:
        parse_get_request(parameters, catalogue, policy)
    understood = parse_get_request_leniently(parameters, catalogue, policy)
    response = build_request_error_response(identity, understood, caught.value)
    validate(response, f"{RESPONSES}/beaconErrorResponse.json")
    assert response["error"]["errorCode"] == 400
    assert "referenceBases" in response["error"]["errorMessage"]
    summary = response["meta"]["receivedRequestSummary"]
    assert summary["pagination"] == {"skip": 1, "limit": 20}
    assert summary["requestParameters"] == {"g_variant": {"referenceName": "1"}}
    assert response["meta"]["returnedSchemas"] == []


@pytest.mark.parametrize("body", [None, "not json", [1, 2], {"query": {"pagination": 5}}])
def test_error_response_for_an_unreadable_post_body(
    identity: BeaconIdentity, catalogue: FilterCatalogue, policy: RequestPolicy, body: Any
) -> None:
    understood = parse_post_request_leniently(body, catalogue, policy)
    response = build_error_response(identity, understood, 400, "the body is not a request")
    validate(response, f"{RESPONSES}/beaconErrorResponse.json")
    summary = response["meta"]["receivedRequestSummary"]
    assert summary["apiVersion"] == identity.api_version
    assert summary["pagination"] == {"skip": 0, "limit": policy.default_limit}
    assert summary["requestedGranularity"] == policy.default_granularity.value


def test_error_message_names_the_parameter_when_it_does_not(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    error = BeaconRequestError(404, "no such dataset", "datasetIds")
    response = build_request_error_response(identity, query, error)
    assert response["error"] == {
        "errorCode": 404,
        "errorMessage": "no such dataset (parameter 'datasetIds')",
    }


def test_error_response_without_received_request_summary_fails_validation(
    identity: BeaconIdentity, query: BeaconQuery
) -> None:
    response = build_error_response(identity, query, 500, "store unavailable")
    validate(response, f"{RESPONSES}/beaconErrorResponse.json")
    broken = copy.deepcopy(response)
    del broken["meta"]["receivedRequestSummary"]
    with pytest.raises(ValidationError, match="'receivedRequestSummary' is a required property"):
        validate(broken, f"{RESPONSES}/beaconErrorResponse.json")
    broken = copy.deepcopy(response)
    broken["error"]["errorCode"] = "500"
    with pytest.raises(ValidationError, match="is not of type 'integer'"):
        validate(broken, f"{RESPONSES}/beaconErrorResponse.json")


def test_handover_type_must_be_a_curie() -> None:
    with pytest.raises(ValueError, match="should match pattern"):
        Handover(type_id="VCF", type_label="VCF", url="https://example.org/a.vcf")


def test_handover_without_note_is_valid(identity: BeaconIdentity, query: BeaconQuery) -> None:
    handover = Handover(type_id="CUSTOM:browser", type_label="genome browser", url="https://x.org")
    response = build_boolean_response(identity, query, GENOMIC_VARIANT, 1, handovers=[handover])
    validate(response, f"{RESPONSES}/beaconBooleanResponse.json")
    assert response["beaconHandovers"] == [
        {
            "handoverType": {"id": "CUSTOM:browser", "label": "genome browser"},
            "url": "https://x.org",
        }
    ]
    del response["beaconHandovers"][0]["url"]
    with pytest.raises(ValidationError, match="'url' is a required property"):
        validate(response, f"{RESPONSES}/beaconBooleanResponse.json")
