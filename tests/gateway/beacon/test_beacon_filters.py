"""The filter catalogue and the parsing of filters into typed conditions."""

from __future__ import annotations

import pytest

from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filter_catalogue import (
    ComparisonOperator,
    FilterCatalogue,
    FilterField,
    FilterKind,
    build_filter_catalogue,
)
from cnvbeacon.gateway.beacon.filters import (
    AlphanumericFilter,
    CustomFilter,
    OntologyFilter,
    filter_summary,
    filters_not_applicable,
    parse_filter,
    parse_filters,
)
from cnvbeacon.gateway.beacon.populations import (
    POPULATIONS,
    SUPERPOPULATIONS,
    Population,
)
from cnvbeacon.shared import vocabulary
from cnvbeacon.shared.frequencies import GroupLevel


def refusal(raw: object, catalogue: FilterCatalogue) -> BeaconRequestError:
    with pytest.raises(BeaconRequestError) as caught:
        parse_filter(raw, catalogue)
    assert caught.value.status == 400
    return caught.value


def test_catalogue_holds_sex_cnv_and_ancestry_terms(catalogue: FilterCatalogue) -> None:
    term_ids = {term.id for term in catalogue.terms}
    assert {t.id for t in vocabulary.SEX_TERMS.values()} <= term_ids
    assert set(vocabulary.CNV_TERMS) <= term_ids
    assert {p.term_id for p in (*POPULATIONS, *SUPERPOPULATIONS)} <= term_ids
    assert len(POPULATIONS) == 26
    assert len(SUPERPOPULATIONS) == 5
    assert {p.superpopulation for p in POPULATIONS} == {s.code for s in SUPERPOPULATIONS}
    assert [f.id for f in catalogue.fields] == ["sex", "population", "superpopulation"]


def test_catalogue_for_other_groups() -> None:
    groups = [Population("XYZ", "Somewhere", GroupLevel.POPULATION, "ABC")]
    catalogue = build_filter_catalogue(groups)
    assert catalogue.term("population:XYZ") is not None
    assert catalogue.term("population:GBR") is None
    assert [f.id for f in catalogue.fields] == ["sex", "population"]


def test_sex_term(catalogue: FilterCatalogue) -> None:
    parsed = parse_filter({"id": "NCIT:C20197"}, catalogue)
    assert isinstance(parsed, OntologyFilter)
    assert parsed.condition.field is FilterField.SEX
    assert parsed.condition.values == {"male"}
    assert not parsed.condition.negated


@pytest.mark.parametrize("term", list(vocabulary.CNV_TERMS))
def test_cnv_terms_include_descendants_by_default(catalogue: FilterCatalogue, term: str) -> None:
    parsed = parse_filter(term, catalogue)
    assert parsed.condition.field is FilterField.VARIANT_TYPE
    assert parsed.condition.values == vocabulary.descendants(term)
    exact = parse_filter({"id": term, "includeDescendantTerms": False}, catalogue)
    assert exact.condition.values == {term}


def test_copy_number_variation_matches_every_cnv_term(catalogue: FilterCatalogue) -> None:
    parsed = parse_filter(vocabulary.CNV.id, catalogue)
    assert parsed.condition.values == set(vocabulary.CNV_TERMS)


def test_ancestry_terms(catalogue: FilterCatalogue) -> None:
    population = parse_filter("population:YRI", catalogue)
    superpopulation = parse_filter({"id": "superpopulation:SAS"}, catalogue)
    assert isinstance(population, CustomFilter)
    assert population.condition.field is FilterField.POPULATION
    assert population.condition.values == {"YRI"}
    assert superpopulation.condition.field is FilterField.SUPERPOPULATION
    assert superpopulation.condition.values == {"SAS"}


@pytest.mark.parametrize(
    ("raw", "field", "value", "negated"),
    [
        ({"id": "sex", "operator": "=", "value": "Female"}, FilterField.SEX, "female", False),
        ({"id": "sex", "value": "male"}, FilterField.SEX, "male", False),
        (
            {"id": "population", "operator": "!", "value": "gbr"},
            FilterField.POPULATION,
            "GBR",
            True,
        ),
        ("superpopulation=AFR", FilterField.SUPERPOPULATION, "AFR", False),
        ("sex!unknown", FilterField.SEX, "unknown", True),
    ],
)
def test_alphanumeric_filters(
    catalogue: FilterCatalogue,
    raw: object,
    field: FilterField,
    value: str,
    negated: bool,
) -> None:
    parsed = parse_filter(raw, catalogue)
    assert isinstance(parsed, AlphanumericFilter)
    assert parsed.condition.field is field
    assert parsed.condition.values == {value}
    assert parsed.condition.negated is negated
    assert parsed.value == value


def test_scope_is_normalised_to_an_entry_type_id(catalogue: FilterCatalogue) -> None:
    for scope in ("individuals", "individual"):
        parsed = parse_filter({"id": "NCIT:C16576", "scope": scope}, catalogue)
        assert parsed.scope == "individual"


@pytest.mark.parametrize(
    ("raw", "parameter", "message"),
    [
        ("HP:0000118", "HP:0000118", "unknown filter"),
        ({"id": "population:XXX"}, "population:XXX", "unknown filter"),
        ("", "filters", "empty"),
        ({"label": "female"}, "filters", "needs a string 'id'"),
        ({"id": ""}, "filters", "needs a string 'id'"),
        (17, "filters", "string or an object"),
        ({"id": "NCIT:C16576", "colour": "red"}, "NCIT:C16576", "colour"),
        ({"id": "NCIT:C16576", "scope": "planets"}, "NCIT:C16576", "unknown scope"),
        ({"id": "EFO:0030067", "scope": "individuals"}, "EFO:0030067", "does not apply"),
        ({"id": "NCIT:C16576", "similarity": "high"}, "NCIT:C16576", "similarity"),
        ({"id": "NCIT:C16576", "includeDescendantTerms": "no"}, "NCIT:C16576", "true or false"),
        ({"id": "NCIT:C16576", "operator": "=", "value": "x"}, "NCIT:C16576", "unknown filter"),
        ("sex", "sex", "operator and a string value"),
        ({"id": "sex"}, "sex", "operator and a string value"),
        ({"id": "sex", "operator": "="}, "sex", "operator and a string value"),
        ({"id": "sex", "operator": "=", "value": 1}, "sex", "operator and a string value"),
        ({"id": "sex", "operator": "~", "value": "male"}, "sex", "unknown operator"),
        ({"id": "sex", "operator": ">=", "value": "male"}, "sex", "only the operators"),
        ("sex<male", "sex", "only the operators"),
        ({"id": "sex", "value": "other"}, "sex", "unknown value"),
        ("population=ZZZ", "population", "unknown value"),
        ("age>=P70Y", "age>=P70Y", "unknown filter"),
    ],
)
def test_invalid_filters_are_refused_naming_the_filter(
    catalogue: FilterCatalogue, raw: object, parameter: str, message: str
) -> None:
    error = refusal(raw, catalogue)
    assert error.parameter == parameter
    assert message in error.message


def test_filter_summaries_round_trip_through_get_syntax(catalogue: FilterCatalogue) -> None:
    raw = [
        {"id": "NCIT:C16576"},
        {"id": "sex", "operator": "!", "value": "MALE"},
        {"id": "superpopulation:EUR"},
        {"id": "population", "value": "fin"},
    ]
    parsed = parse_filters(raw, catalogue)
    summaries = [filter_summary(f) for f in parsed]
    assert summaries == ["NCIT:C16576", "sex!male", "superpopulation:EUR", "population=FIN"]
    reparsed = parse_filters(summaries, catalogue)
    assert [f.condition for f in reparsed] == [f.condition for f in parsed]


def test_filters_not_applicable_to_an_entry_type(catalogue: FilterCatalogue) -> None:
    filters = parse_filters(["EFO:0030070", "NCIT:C16576", "sex=female"], catalogue)
    assert filters_not_applicable(filters, catalogue, "individual") == ["EFO:0030070"]
    assert filters_not_applicable(filters, catalogue, "genomicVariant") == []
    assert filters_not_applicable(filters, catalogue, "dataset") == [
        "EFO:0030070",
        "NCIT:C16576",
        "sex",
    ]


def test_kinds_and_operators_match_the_spec_enumerations(catalogue: FilterCatalogue) -> None:
    assert {k.value for k in FilterKind} == {"ontologyTerm", "alphanumeric", "custom"}
    assert {o.value for o in ComparisonOperator} == {"=", "<", ">", "!", ">=", "<="}
    assert {term.kind for term in catalogue.terms} == {FilterKind.ONTOLOGY, FilterKind.CUSTOM}
