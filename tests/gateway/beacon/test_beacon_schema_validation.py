"""The offline validator itself: it accepts valid documents and can reject invalid ones."""

from __future__ import annotations

import pytest

from tests.gateway.schema_validation import ValidationError, load_example, validate

EXAMPLES = "framework/json/responses/examples-fullDocuments"
INDIVIDUAL_SCHEMA = "models/json/beacon-v2-default-model/individuals/defaultSchema.json"


@pytest.mark.parametrize(
    ("example", "schema"),
    [
        ("beaconInfo-MIN-example.json", "beaconInfoResponse.json"),
        ("beaconInfo-MAX-example.json", "beaconInfoResponse.json"),
        ("beaconMapResponse-example.json", "beaconMapResponse.json"),
    ],
)
def test_spec_examples_that_match_their_schema_validate(example: str, schema: str) -> None:
    validate(load_example(f"{EXAMPLES}/{example}"), f"framework/json/responses/{schema}")


def test_spec_example_missing_required_meta_members_is_rejected() -> None:
    # The spec's own count example predates returnedGranularity being required.
    example = load_example(f"{EXAMPLES}/beaconCountResponse-example.json")
    with pytest.raises(ValidationError, match=r"Granularity. is a required property"):
        validate(example, "framework/json/responses/beaconCountResponse.json")


def test_references_across_files_are_followed() -> None:
    # sex -> commonDefinitions Sex -> framework ontologyTerm -> CURIE pattern.
    validate({"id": "P1", "sex": {"id": "NCIT:C16576"}}, INDIVIDUAL_SCHEMA)
    with pytest.raises(ValidationError, match="does not match"):
        validate({"id": "P1", "sex": {"id": "female"}}, INDIVIDUAL_SCHEMA)


def test_missing_model_info_reference_resolves_to_the_framework_info() -> None:
    validate({"id": "P1", "sex": {"id": "NCIT:C16576"}, "info": {"a": 1}}, INDIVIDUAL_SCHEMA)
    with pytest.raises(ValidationError, match="is not of type 'object'"):
        validate({"id": "P1", "sex": {"id": "NCIT:C16576"}, "info": "text"}, INDIVIDUAL_SCHEMA)


def test_unknown_schema_path_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        validate({}, "framework/json/responses/noSuchResponse.json")
