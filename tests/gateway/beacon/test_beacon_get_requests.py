"""GET query parameters into a BeaconQuery, and every way they can be refused."""

from __future__ import annotations

import pytest

from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue, FilterField
from cnvbeacon.gateway.beacon.filters import AlphanumericFilter, OntologyFilter
from cnvbeacon.gateway.beacon.get_request import (
    parse_get_request,
    parse_get_request_leniently,
)
from cnvbeacon.gateway.beacon.query import BeaconQuery, GenomicBracket, GenomicRange
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.spec import Granularity, IncludeResultsetResponses
from cnvbeacon.shared import vocabulary


def parse(
    parameters: dict[str, str] | list[tuple[str, str]],
    catalogue: FilterCatalogue,
    policy: RequestPolicy,
) -> BeaconQuery:
    return parse_get_request(parameters, catalogue, policy)


def refusal(
    parameters: dict[str, str] | list[tuple[str, str]],
    catalogue: FilterCatalogue,
    policy: RequestPolicy,
) -> BeaconRequestError:
    with pytest.raises(BeaconRequestError) as caught:
        parse_get_request(parameters, catalogue, policy)
    assert caught.value.status == 400
    return caught.value


def test_no_parameters_gives_the_defaults(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse({}, catalogue, policy)
    assert query.api_version is None
    assert (query.pagination.skip, query.pagination.limit) == (0, policy.default_limit)
    assert query.requested_granularity is policy.default_granularity
    assert query.include_resultset_responses is IncludeResultsetResponses.HIT
    assert query.test_mode is False
    assert query.filters == ()
    assert query.variant is None
    assert query.dataset_ids == ()


def test_range_query(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse(
        {
            "referenceName": "17",
            "start": "7661778",
            "end": "7687538",
            "assemblyId": "GRCh38",
            "variantType": "DEL",
        },
        catalogue,
        policy,
    )
    assert query.variant is not None
    assert query.variant.reference_name == "17"
    assert query.variant.location == GenomicRange(start=7661778, end=7687538)
    assert query.variant.assembly_id == "GRCh38"
    assert query.variant.variant_type == "DEL"
    assert query.variant.variant_type_ids == vocabulary.descendants(vocabulary.LOSS.id)


def test_bracket_query(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse(
        {"referenceName": "X", "start": "1000,2000", "end": "5000,6000"}, catalogue, policy
    )
    assert query.variant is not None
    assert query.variant.location == GenomicBracket(
        start_min=1000, start_max=2000, end_min=5000, end_max=6000
    )


def test_repeated_start_and_end_build_a_bracket(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse(
        [
            ("referenceName", "1"),
            ("start", "10"),
            ("start", "20"),
            ("end", "30"),
            ("end", "40"),
        ],
        catalogue,
        policy,
    )
    assert query.variant is not None
    assert query.variant.location == GenomicBracket(
        start_min=10, start_max=20, end_min=30, end_max=40
    )


def test_gene_cytoband_and_length_parameters(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse(
        {
            "geneid": "BRCA1",
            "cytoband": "17q21.31",
            "variantMinLength": "1000",
            "variantMaxLength": "50000",
        },
        catalogue,
        policy,
    )
    assert query.variant is not None
    assert query.variant.gene_id == "BRCA1"
    assert query.variant.cytoband == "17q21.31"
    assert (query.variant.variant_min_length, query.variant.variant_max_length) == (1000, 50000)
    assert query.variant.location is None


def test_cytoband_spelled_as_in_the_spec_style(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse({"cytoBand": "1p36.33", "geneId": "TP53"}, catalogue, policy)
    assert query.variant is not None
    assert (query.variant.cytoband, query.variant.gene_id) == ("1p36.33", "TP53")


@pytest.mark.parametrize(
    ("skip", "limit", "offset", "page_size"),
    [("0", "10", 0, 10), ("2", "10", 20, 10), ("1", "25", 25, 25), ("3", "0", 3000, 1000)],
)
def test_skip_counts_pages(
    catalogue: FilterCatalogue,
    policy: RequestPolicy,
    skip: str,
    limit: str,
    offset: int,
    page_size: int,
) -> None:
    query = parse({"skip": skip, "limit": limit}, catalogue, policy)
    assert query.pagination.offset == offset
    assert query.pagination.page_size == page_size
    assert query.pagination.limit == int(limit)


def test_options(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    query = parse(
        {
            "requestedGranularity": "record",
            "includeResultsetResponses": "ALL",
            "testMode": "true",
            "datasetIds": "1kgp-dragen,synthetic",
            "requestedSchema": "ga4gh-beacon-variant-v2.1.1",
        },
        catalogue,
        policy,
    )
    assert query.requested_granularity is Granularity.RECORD
    assert query.include_resultset_responses is IncludeResultsetResponses.ALL
    assert query.test_mode is True
    assert query.dataset_ids == ("1kgp-dragen", "synthetic")
    assert [s.schema_id for s in query.requested_schemas] == ["ga4gh-beacon-variant-v2.1.1"]


def test_filters_are_comma_separated_and_repeatable(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    query = parse(
        [("filters", "NCIT:C16576,EFO:0030070"), ("filters", "sex!male")], catalogue, policy
    )
    assert [f.id for f in query.filters] == ["NCIT:C16576", "EFO:0030070", "sex"]
    female, gain, not_male = query.filters
    assert isinstance(female, OntologyFilter)
    assert female.condition.field is FilterField.SEX
    assert female.condition.values == {"female"}
    assert gain.condition.values == vocabulary.descendants(vocabulary.GAIN.id)
    assert isinstance(not_male, AlphanumericFilter)
    assert not_male.condition.negated


def test_include_descendant_terms_applies_to_every_get_filter(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    gain = vocabulary.GAIN.id
    exact = parse({"filters": gain, "includeDescendantTerms": "false"}, catalogue, policy)
    assert exact.filters[0].condition.values == {gain}
    assert not exact.filters[0].include_descendant_terms
    expanded = parse({"filters": gain, "includeDescendantTerms": "true"}, catalogue, policy)
    assert expanded.filters[0].condition.values == vocabulary.descendants(gain)
    default = parse({"filters": gain}, catalogue, policy)
    assert default.filters[0].condition.values == vocabulary.descendants(gain)
    error = refusal({"filters": gain, "includeDescendantTerms": "maybe"}, catalogue, policy)
    assert error.parameter == "includeDescendantTerms"
    assert "true or false" in error.message


def test_api_version_is_accepted_on_get(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    assert parse({"apiVersion": "v2.0"}, catalogue, policy).api_version == "v2.0"


@pytest.mark.parametrize(
    "unsupported",
    ["referenceBases", "alternateBases", "aminoacidChange", "allele", "mateName"],
)
def test_sequence_parameters_are_refused(
    catalogue: FilterCatalogue, policy: RequestPolicy, unsupported: str
) -> None:
    error = refusal({"referenceName": "1", unsupported: "A"}, catalogue, policy)
    assert error.parameter == unsupported
    assert "copy-number" in error.message


def test_empty_values_count_as_not_given(catalogue: FilterCatalogue, policy: RequestPolicy) -> None:
    form = {"referenceName": "", "start": "", "end": "", "filters": "", "limit": "", "geneId": ""}
    assert parse(form, catalogue, policy) == parse({}, catalogue, policy)


@pytest.mark.parametrize("name", ["frobnicate", "alternateBases"])
def test_unknown_or_unsupported_parameters_are_refused_even_when_empty(
    catalogue: FilterCatalogue, policy: RequestPolicy, name: str
) -> None:
    assert refusal({name: ""}, catalogue, policy).parameter == name


def test_unknown_parameter_is_refused_by_name(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    error = refusal({"referenceName": "1", "frobnicate": "yes"}, catalogue, policy)
    assert error.parameter == "frobnicate"
    assert "frobnicate" in error.message


@pytest.mark.parametrize(
    ("parameters", "parameter"),
    [
        ({"skip": "-1"}, "skip"),
        ({"skip": "two"}, "skip"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"referenceName": "1", "start": "-5", "end": "10"}, "start"),
        ({"referenceName": "1", "start": "5", "end": "0"}, "end"),
        ({"referenceName": "1", "start": "20", "end": "10"}, "start"),
        ({"referenceName": "1", "start": "1,2,3", "end": "4,5,6"}, "start"),
        ({"referenceName": "1", "start": "10", "end": "20,30"}, "end"),
        ({"referenceName": "1", "start": "10,20", "end": "30"}, "start"),
        ({"referenceName": "1", "start": "20,10", "end": "30,40"}, "start"),
        ({"referenceName": "1", "start": "10,20", "end": "40,30"}, "end"),
        ({"referenceName": "1", "start": "50,60", "end": "10,40"}, "end"),
        ({"referenceName": "1", "start": "10"}, "end"),
        ({"referenceName": "1", "end": "10"}, "start"),
        ({"start": "10", "end": "20"}, "referenceName"),
        ({"referenceName": "1", "start": "99999999999999999999", "end": "1"}, "start"),
        ({"variantMinLength": "-1"}, "variantMinLength"),
        ({"variantMaxLength": "0"}, "variantMaxLength"),
        ({"variantMinLength": "500", "variantMaxLength": "100"}, "variantMinLength"),
        ({"variantType": "SNP"}, "variantType"),
        ({"requestedGranularity": "everything"}, "requestedGranularity"),
        ({"includeResultsetResponses": "SOME"}, "includeResultsetResponses"),
        ({"testMode": "maybe"}, "testMode"),
        ({"datasetIds": "a,,b"}, "datasetIds"),
        ({"filters": "HP:0000118"}, "HP:0000118"),
        ({"filters": "NCIT:C16576,"}, "filters"),
    ],
)
def test_invalid_values_are_refused_naming_the_parameter(
    catalogue: FilterCatalogue,
    policy: RequestPolicy,
    parameters: dict[str, str],
    parameter: str,
) -> None:
    error = refusal(parameters, catalogue, policy)
    assert error.parameter == parameter
    assert error.message


@pytest.mark.parametrize("name", ["limit", "skip", "referenceName", "testMode", "geneId"])
def test_single_valued_parameters_given_twice_are_refused(
    catalogue: FilterCatalogue, policy: RequestPolicy, name: str
) -> None:
    error = refusal([(name, "1"), (name, "2")], catalogue, policy)
    assert error.parameter == name
    assert "more than once" in error.message


def test_alias_and_canonical_spelling_together_are_refused(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    error = refusal([("geneId", "TP53"), ("geneid", "BRCA1")], catalogue, policy)
    assert error.parameter == "geneid"


def test_a_limit_above_the_maximum_is_capped(catalogue: FilterCatalogue) -> None:
    policy = RequestPolicy(max_limit=50, default_limit=5)
    at_most = parse({"limit": "50"}, catalogue, policy).pagination
    assert (at_most.page_size, at_most.capped) == (50, False)
    above = parse({"limit": "51", "skip": "2"}, catalogue, policy).pagination
    assert (above.limit, above.page_size, above.capped, above.offset) == (51, 50, True, 100)


def test_lenient_parse_keeps_what_is_valid(
    catalogue: FilterCatalogue, policy: RequestPolicy
) -> None:
    parameters = [
        ("limit", "many"),
        ("skip", "3"),
        ("requestedGranularity", "count"),
        ("filters", "NCIT:C20197,HP:0000118"),
        ("referenceBases", "A"),
        ("frobnicate", "1"),
        ("testMode", "true"),
        ("referenceName", "1"),
        ("start", "10"),
        ("end", "5"),
    ]
    query = parse_get_request_leniently(parameters, catalogue, policy)
    assert query.pagination.limit == policy.default_limit  # the invalid part falls back
    assert query.pagination.skip == 3
    assert query.requested_granularity is Granularity.COUNT
    assert [f.id for f in query.filters] == ["NCIT:C20197"]
    assert query.test_mode is True
    assert query.variant is None
