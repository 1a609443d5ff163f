"""``/configuration`` (beaconConfigurationResponse) and ``/entry_types``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.entry_types import ENTRY_TYPES, EntryType, entry_type_by_id
from cnvbeacon.gateway.beacon.identity import BeaconIdentity, Environment
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.response_meta import build_informational_meta
from cnvbeacon.gateway.beacon.spec import (
    SPEC_FRAMEWORK_BASE_URL,
    SPEC_LABEL,
    SPEC_VERSION,
    Granularity,
    ProductionStatus,
    SecurityLevel,
)

CONFIGURATION_SCHEMA_URL = f"{SPEC_FRAMEWORK_BASE_URL}/configuration/beaconConfigurationSchema.json"
# Extension member of securityAttributes: the default granularity of each dataset that
# differs from the Beacon-wide one (the spec has no place for per-dataset settings).
PER_DATASET_GRANULARITY_MEMBER = "defaultGranularityPerDataset"

_PRODUCTION_STATUS = {
    "prod": ProductionStatus.PROD,
    "staging": ProductionStatus.TEST,
    "test": ProductionStatus.TEST,
    "dev": ProductionStatus.DEV,
}


class SecurityConfiguration(BaseModel):
    """Access settings: granularity by default, per dataset where it differs, and levels."""

    model_config = ConfigDict(frozen=True)

    default_granularity: Granularity = Granularity.RECORD
    dataset_granularity: Mapping[str, Granularity] = Field(default_factory=dict)
    security_levels: tuple[SecurityLevel, ...] = (SecurityLevel.PUBLIC,)

    def granularity_for(self, dataset_id: str) -> Granularity:
        """The finest granularity this dataset answers with by default."""
        return self.dataset_granularity.get(dataset_id, self.default_granularity)

    def to_json(self) -> JsonObject:
        attributes: JsonObject = {
            "defaultGranularity": self.default_granularity.value,
            "securityLevels": [level.value for level in self.security_levels],
        }
        if self.dataset_granularity:
            attributes[PER_DATASET_GRANULARITY_MEMBER] = {
                dataset_id: granularity.value
                for dataset_id, granularity in sorted(self.dataset_granularity.items())
            }
        return attributes


def production_status_for(environment: Environment) -> ProductionStatus:
    """``DEV``/``TEST``/``PROD`` for the deployment environment (staging counts as TEST)."""
    return _PRODUCTION_STATUS[environment]


def build_entry_type_definition(entry_type: EntryType) -> JsonObject:
    definition: JsonObject = {
        "id": entry_type.id,
        "name": entry_type.name,
        "description": entry_type.description,
        "ontologyTermForThisType": entry_type.ontology_term(),
        "partOfSpecification": SPEC_LABEL,
        "defaultSchema": {
            "id": entry_type.schema_id,
            "name": f"Default schema for {entry_type.name.lower()}",
            "referenceToSchemaDefinition": entry_type.schema_url,
            "schemaVersion": SPEC_VERSION,
        },
        "additionallySupportedSchemas": [],
    }
    if entry_type.is_collection:
        definition["aCollectionOf"] = [
            {"id": member.id, "name": member.name}
            for member in map(entry_type_by_id, entry_type.collection_of)
        ]
    return definition


def build_entry_types(entry_types: Sequence[EntryType] = ENTRY_TYPES) -> JsonObject:
    """The ``entryTypes`` dictionary, keyed by entry type id."""
    return {entry_type.id: build_entry_type_definition(entry_type) for entry_type in entry_types}


def build_configuration_response(
    identity: BeaconIdentity,
    security: SecurityConfiguration,
    production_status: ProductionStatus | None = None,
) -> JsonObject:
    """``/configuration``; the production status follows the environment unless given."""
    status = production_status or production_status_for(identity.environment)
    return {
        "meta": build_informational_meta(identity),
        "response": {
            "$schema": CONFIGURATION_SCHEMA_URL,
            "maturityAttributes": {"productionStatus": status.value},
            "securityAttributes": security.to_json(),
            "entryTypes": build_entry_types(),
        },
    }


def build_entry_types_response(identity: BeaconIdentity) -> JsonObject:
    """``/entry_types``."""
    return {
        "meta": build_informational_meta(identity),
        "response": {"entryTypes": build_entry_types()},
    }
