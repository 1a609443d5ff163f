"""POST bodies (beaconRequestBody) into a BeaconQuery, and every way they can be refused."""

from __future__ import annotations

from typing import Any

import pytest

from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue, FilterField
from cnvbeacon.gateway.beacon.filters import AlphanumericFilter, CustomFilter, OntologyFilter
from cnvbeacon.gateway.beacon.get_request import parse_get_request
from cnvbeacon.gateway.beacon.post_request import (
    parse_post_request,
    parse_post_request_leniently,
)
from cnvbeacon.gateway.beacon.query import GenomicBracket, GenomicRange
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.spec import Granularity, IncludeResultsetResponses
from tests.gateway.schema_validation import ValidationError, validate

FULL_BODY: dict[str, Any] = {
    "$schema": "https://example.org/beaconRequestBody.json",
    "meta": {
        "apiVersion": "v2.0",
        "requestedSchemas": [
            {"entityType": "genomicVariant", "schema": "ga4gh-beacon-variant-v2.1.1"}
        ],
    },
    "query": {
        "requestParameters": {
            "g_variant": {
                "assemblyId": "GRCh38",
                "referenceName": "17",
                "start": [43044294, 43045000],
                "end": [43125482, 43126000],
                "variantType": "EFO:0030067",
            },
            "datasets": {"datasetIds": ["1kgp-dragen"]},
        },
        "filters": [
            {"id": "NCIT:C16576", "scope": "individuals"},
            {"id": "EFO:0030067", "includeDescendantTerms": False},
            {"id": "superpopulation", "operator": "=", "value": "eur"},
            {"id": "population:GBR"},
        ],
        "includeResultsetResponses": "MISS",
        "pagination": {"skip": 1, "limit": 20},
        "requestedGranularity": "count",
        "testMode": True,
    },
}


def refusal(body: object, catalogue: FilterCatalogue, policy: RequestPolicy) -> BeaconRequestError:
    with pytest.raises(BeaconRequestError) as caught:
        parse_post_request(body, catalogue, policy)
    assert caught.value.status == 400
    return caught.value


def with_query(**query: Any) -> dict[str, Any]:
    return {"meta": {"apiVersion": "v2.1.1"}, "query": query}


def test_the_test_body_is_a_valid_request_body() -> None:
    validate(FULL_BODY, "framework/json/requests/beaconRequestBody.json")


def test_flat_request_parameters_are_not_schema_valid_but_accepted(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    # The spec's documentation sends flat parameters; its schema wants objects as values.
    body = with_query(requestParameters={"referenceName": "17", "start": [1], "end": [2]})
    with pytest.raises(ValidationError, match="is not of type 'object'"):
        validate(body, "framework/json/requests/beaconRequestBody.json")
    assert parse_post_request(body, catalogue, policy).variant is not None


def test_filters_may_be_strings_as_in_get(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    body = with_query(filters=["population:GBR", "sex=female"])
    assert (
        parse_post_request(body, catalogue, policy).filters
        == parse_get_request({"filters": "population:GBR,sex=female"}, catalogue, policy).filters
    )


def test_numeric_strings_are_accepted_like_in_get(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    body = with_query(
        requestParameters={"referenceName": "1", "start": ["10"], "end": ["20"]},
        pagination={"skip": "1", "limit": "5"},
    )
    query = parse_post_request(body, catalogue, policy)
    assert query.variant is not None
    assert query.variant.location == GenomicRange(start=10, end=20)
    assert query.pagination.offset == 5


def test_full_body(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse_post_request(FULL_BODY, catalogue, policy)
    assert query.api_version == "v2.0"
    assert [(s.entity_type, s.schema_id) for s in query.requested_schemas] == [
        ("genomicVariant", "ga4gh-beacon-variant-v2.1.1")
    ]
    assert query.variant is not None
    assert query.variant.location == GenomicBracket(
        start_min=43044294, start_max=43045000, end_min=43125482, end_max=43126000
    )
    assert query.variant.variant_type_ids == {"EFO:0030067", "EFO:0030068", "EFO:0030069"}
    assert query.dataset_ids == ("1kgp-dragen",)
    female, loss, european, british = query.filters
    assert isinstance(female, OntologyFilter)
    assert female.scope == "individual"
    assert isinstance(loss, OntologyFilter)
    assert loss.condition.values == {"EFO:0030067"}
    assert isinstance(european, AlphanumericFilter)
    assert european.value == "EUR"
    assert european.condition.field is FilterField.SUPERPOPULATION
    assert isinstance(british, CustomFilter)
    assert british.condition.values == {"GBR"}
    assert query.include_resultset_responses is IncludeResultsetResponses.MISS
    assert (query.pagination.skip, query.pagination.limit, query.pagination.offset) == (1, 20, 20)
    assert query.requested_granularity is Granularity.COUNT
    assert query.test_mode is True


def test_minimal_body_gives_the_defaults(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse_post_request({"meta": {"apiVersion": "v2.1.1"}}, catalogue, policy)
    assert query == parse_get_request({}, catalogue, policy).model_copy(
        update={"api_version": "v2.1.1"}
    )


def test_body_without_meta_is_accepted(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse_post_request({"query": {"requestedGranularity": "record"}}, catalogue, policy)
    assert query.api_version is None
    assert query.requested_granularity is Granularity.RECORD


def test_variant_parameters_may_be_grouped_under_g_variant(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    grouped = with_query(
        requestParameters={"g_variant": {"referenceName": "X", "start": [100], "end": [200]}}
    )
    flat = with_query(requestParameters={"referenceName": "X", "start": [100], "end": [200]})
    grouped_query = parse_post_request(grouped, catalogue, policy)
    assert grouped_query == parse_post_request(flat, catalogue, policy)
    assert grouped_query.variant is not None
    assert grouped_query.variant.location == GenomicRange(start=100, end=200)


def test_dataset_ids_flat_or_grouped(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    body = with_query(
        requestParameters={"datasetIds": ["a", "b"], "datasets": {"datasetIds": ["b", "c"]}}
    )
    assert parse_post_request(body, catalogue, policy).dataset_ids == ("a", "b", "c")


def test_a_single_start_and_end_number_make_a_range(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    body = with_query(requestParameters={"referenceName": "1", "start": 5, "end": 9})
    variant = parse_post_request(body, catalogue, policy).variant
    assert variant is not None
    assert variant.location == GenomicRange(start=5, end=9)


def test_limit_zero_pages_by_the_maximum(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    body = with_query(pagination={"skip": 2, "limit": 0})
    pagination = parse_post_request(body, catalogue, policy).pagination
    assert (pagination.page_size, pagination.offset) == (policy.max_limit, 2 * policy.max_limit)


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ([], "request body"),
        ("query", "request body"),
        ({"meta": {}, "extra": 1}, "extra"),
        ({"meta": {"apiVersion": "v2", "foo": 1}}, "meta.foo"),
        ({"meta": {"apiVersion": 2}}, "apiVersion"),
        ({"meta": {"apiVersion": "v2", "requestedSchemas": "x"}}, "requestedSchemas"),
        ({"meta": {"apiVersion": "v2", "requestedSchemas": [{"entity": "x"}]}}, "requestedSchemas"),
        (with_query(unknownMember=True), "query.unknownMember"),
        (with_query(pagination={"skip": 0, "currentPage": "x"}), "query.pagination.currentPage"),
        (with_query(pagination={"skip": -1}), "skip"),
        (with_query(pagination={"limit": True}), "limit"),
        (with_query(pagination={"limit": 2.0}), "limit"),
        (with_query(pagination={"limit": -5}), "limit"),
        (with_query(pagination=[]), "pagination"),
        (with_query(filters="NCIT:C16576"), "filters"),
        (with_query(filters=[{"id": "NCIT:C99999"}]), "NCIT:C99999"),
        (with_query(filters=[42]), "filters"),
        (with_query(requestedGranularity="all"), "requestedGranularity"),
        (with_query(includeResultsetResponses=True), "includeResultsetResponses"),
        (with_query(testMode="yes"), "testMode"),
        (with_query(requestParameters=[]), "requestParameters"),
        (with_query(requestParameters={"alternateBases": "T"}), "alternateBases"),
        (with_query(requestParameters={"g_variant": {"referenceBases": "A"}}), "referenceBases"),
        (with_query(requestParameters={"aminoacidChange": "V600E"}), "aminoacidChange"),
        (with_query(requestParameters={"genomicAlleleShortForm": "x"}), "genomicAlleleShortForm"),
        (with_query(requestParameters={"colour": "red"}), "colour"),
        (
            with_query(requestParameters={"datasets": {"ids": ["a"]}}),
            "requestParameters.datasets.ids",
        ),
        (with_query(requestParameters={"datasetIds": [1]}), "datasetIds"),
        (
            with_query(requestParameters={"geneId": "TP53", "g_variant": {"geneId": "TP53"}}),
            "geneId",
        ),
        (
            with_query(requestParameters={"referenceName": "1", "start": ["x"], "end": [9]}),
            "start",
        ),
        (
            with_query(requestParameters={"referenceName": "1", "start": [], "end": [9]}),
            "start",
        ),
        (
            with_query(requestParameters={"referenceName": "1", "start": [9], "end": [3]}),
            "start",
        ),
        (with_query(requestParameters={"variantType": "SNV"}), "variantType"),
        (with_query(requestParameters={"referenceName": ""}), "referenceName"),
        (with_query(requestParameters={"geneId": 7157}), "geneId"),
    ],
)
def test_invalid_bodies_are_refused_naming_the_parameter(
    catalogue: FilterCatalogue, policy: RequestPolicy, body: object, parameter: str
) -> None:
    error = refusal(body, catalogue, policy)
    assert error.parameter == parameter
    assert error.message


def test_lenient_parse_of_garbage_gives_the_defaults(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    for garbage in (None, [], "text", {"query": "text"}):
        query = parse_post_request_leniently(garbage, catalogue, policy)
        assert query == parse_get_request({}, catalogue, policy)


def test_lenient_parse_keeps_what_is_valid(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    body = {
        "meta": {"apiVersion": "v2.0", "unknown": 1},
        "query": {
            "requestParameters": {"referenceName": "1", "referenceBases": "A", "geneId": "TP53"},
            "filters": [{"id": "NCIT:C16576"}, {"id": "nonsense:1"}],
            "pagination": {"skip": 4, "limit": -1},
            "requestedGranularity": "record",
            "bogus": True,
        },
    }
    query = parse_post_request_leniently(body, catalogue, policy)
    assert query.api_version is None  # the meta section is unfit as a whole
    assert query.requested_granularity is Granularity.RECORD
    assert [f.id for f in query.filters] == ["NCIT:C16576"]
    assert (query.pagination.skip, query.pagination.limit) == (4, policy.default_limit)
    assert query.variant is not None
    assert (query.variant.reference_name, query.variant.gene_id) == ("1", "TP53")
