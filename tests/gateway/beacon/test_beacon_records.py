"""Individual, biosample, dataset and cohort records against the default model schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError as DocumentError

from cnvbeacon.gateway.beacon.biosamples import build_biosample
from cnvbeacon.gateway.beacon.cohorts import build_cohort
from cnvbeacon.gateway.beacon.datasets import build_dataset
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.filters import parse_filter
from cnvbeacon.gateway.beacon.individuals import build_individual
from cnvbeacon.shared.vocabulary import OntologyTerm
from tests.gateway.schema_validation import ValidationError, validate

MODELS = "models/json/beacon-v2-default-model"

HG00096 = {
    "_id": "1kgp-dragen:HG00096",
    "dataset_id": "1kgp-dragen",
    "individual_id": "HG00096",
    "sex": "male",
    "population": "GBR",
    "population_name": "British in England and Scotland",
    "superpopulation": "EUR",
    "superpopulation_name": "European",
    "biosample_ids": ["HG00096"],
}


def test_individual_record(catalogue: FilterCatalogue) -> None:
    record = build_individual(HG00096)
    validate(record, f"{MODELS}/individuals/defaultSchema.json")
    assert record["id"] == "HG00096"
    assert record["sex"] == {"id": "NCIT:C20197", "label": "male"}
    assert record["ethnicity"] == {
        "id": "population:GBR",
        "label": "British in England and Scotland",
    }
    assert record["info"]["ancestry"] == {
        "population": {"id": "population:GBR", "label": "British in England and Scotland"},
        "superpopulation": {"id": "superpopulation:EUR", "label": "European"},
    }
    # The terms a record carries are the filters that select it.
    population_filter = parse_filter(record["ethnicity"]["id"], catalogue)
    assert population_filter.condition.values == {HG00096["population"]}


@pytest.mark.parametrize(("sex", "term"), [("female", "NCIT:C16576"), ("unknown", "NCIT:C17998")])
def test_individual_sex_terms(sex: str, term: str) -> None:
    record = build_individual({**HG00096, "sex": sex})
    validate(record, f"{MODELS}/individuals/defaultSchema.json")
    assert record["sex"]["id"] == term


def test_individual_without_ancestry_names_takes_them_from_the_1kgp_table() -> None:
    document = {**HG00096, "population": "YRI", "superpopulation": "AFR"}
    del document["population_name"], document["superpopulation_name"]
    record = build_individual(document)
    validate(record, f"{MODELS}/individuals/defaultSchema.json")
    assert record["ethnicity"]["label"] == "Yoruba in Ibadan, Nigeria"
    assert record["info"]["ancestry"]["superpopulation"]["label"] == "African"


def test_individual_without_ancestry() -> None:
    record = build_individual(
        {"_id": "synthetic:S1", "dataset_id": "synthetic", "individual_id": "S1"}
    )
    validate(record, f"{MODELS}/individuals/defaultSchema.json")
    assert record == {"id": "S1", "sex": {"id": "NCIT:C17998", "label": "unknown"}}


def test_individual_from_a_malformed_document_is_refused() -> None:
    with pytest.raises(DocumentError):
        build_individual({**HG00096, "sex": "M"})


def test_individual_record_without_sex_fails_validation() -> None:
    record = build_individual(HG00096)
    del record["sex"]
    with pytest.raises(ValidationError, match="'sex' is a required property"):
        validate(record, f"{MODELS}/individuals/defaultSchema.json")


def test_biosample_record() -> None:
    record = build_biosample({"_id": "HG00096", "individual_id": "HG00096", "dataset_id": "d"})
    validate(record, f"{MODELS}/biosamples/defaultSchema.json")
    assert record == {
        "id": "HG00096",
        "individualId": "HG00096",
        "biosampleStatus": {"id": "EFO:0009654", "label": "reference sample"},
        "sampleOriginType": {"id": "OBI:0001876", "label": "cell culture"},
    }


def test_biosample_origin_can_be_given() -> None:
    specimen = OntologyTerm("OBI:0001479", "specimen from organism")
    record = build_biosample({"id": "S1", "individual_id": "P1"}, origin_type=specimen)
    validate(record, f"{MODELS}/biosamples/defaultSchema.json")
    assert record["sampleOriginType"]["id"] == "OBI:0001479"


def test_biosample_without_individual_is_refused() -> None:
    with pytest.raises(DocumentError):
        build_biosample({"id": "S1"})


def test_biosample_record_without_status_fails_validation() -> None:
    record = build_biosample({"id": "S1", "individual_id": "P1"})
    del record["biosampleStatus"]
    with pytest.raises(ValidationError, match="'biosampleStatus' is a required property"):
        validate(record, f"{MODELS}/biosamples/defaultSchema.json")


DATASET = {
    "_id": "1kgp-dragen",
    "name": "1000 Genomes DRAGEN CNV calls",
    "description": "Germline CNVs of the 3202 1kGP samples",
    "assembly": "GRCh38",
    "synthetic": False,
    "created_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    "updated_at": datetime(2025, 3, 2, 13, 30),
    "data_version": 4,
}


def test_dataset_record() -> None:
    record = build_dataset(DATASET)
    validate(record, f"{MODELS}/datasets/defaultSchema.json")
    assert record == {
        "id": "1kgp-dragen",
        "name": "1000 Genomes DRAGEN CNV calls",
        "description": "Germline CNVs of the 3202 1kGP samples",
        "createDateTime": "2025-03-01T12:00:00Z",
        "updateDateTime": "2025-03-02T13:30:00Z",
        "info": {"assembly": "GRCh38", "synthetic": False, "dataVersion": 4},
    }


def test_dataset_without_description_leaves_it_out() -> None:
    record = build_dataset({**DATASET, "description": ""})
    validate(record, f"{MODELS}/datasets/defaultSchema.json")
    assert "description" not in record


def test_dataset_record_without_name_fails_validation() -> None:
    record = build_dataset(DATASET)
    del record["name"]
    with pytest.raises(ValidationError, match="'name' is a required property"):
        validate(record, f"{MODELS}/datasets/defaultSchema.json")


def test_population_cohort_record(catalogue: FilterCatalogue) -> None:
    record = build_cohort(
        {"id": "1kgp-dragen:GBR", "name": "GBR", "level": "population", "code": "GBR", "size": 91}
    )
    validate(record, f"{MODELS}/cohorts/defaultSchema.json")
    assert record == {
        "id": "1kgp-dragen:GBR",
        "name": "GBR",
        "cohortType": "study-defined",
        "cohortSize": 91,
        "inclusionCriteria": {
            "ethnicities": [{"id": "population:GBR", "label": "British in England and Scotland"}]
        },
    }
    criterion = record["inclusionCriteria"]["ethnicities"][0]["id"]
    assert parse_filter(criterion, catalogue).condition.values == {"GBR"}


def test_superpopulation_cohort_record() -> None:
    record = build_cohort(
        {
            "id": "EAS",
            "name": "East Asian",
            "level": "superpopulation",
            "code": "EAS",
            "label": "East Asian ancestry",
            "size": 585,
        }
    )
    validate(record, f"{MODELS}/cohorts/defaultSchema.json")
    assert record["inclusionCriteria"]["ethnicities"] == [
        {"id": "superpopulation:EAS", "label": "East Asian ancestry"}
    ]


@pytest.mark.parametrize(
    "change", [{"level": "continent"}, {"size": -1}, {"code": ""}, {"name": ""}]
)
def test_malformed_cohort_documents_are_refused(change: dict[str, object]) -> None:
    document = {"id": "c", "name": "n", "level": "population", "code": "GBR", "size": 1}
    with pytest.raises(DocumentError):
        build_cohort({**document, **change})


def test_cohort_record_with_unknown_cohort_type_fails_validation() -> None:
    record = build_cohort(
        {"id": "c", "name": "n", "level": "population", "code": "FIN", "size": 99}
    )
    record["cohortType"] = "population-defined"
    with pytest.raises(ValidationError, match="is not one of"):
        validate(record, f"{MODELS}/cohorts/defaultSchema.json")
