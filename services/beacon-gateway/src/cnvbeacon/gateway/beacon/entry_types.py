"""The entry types this Beacon serves, as declared in ``/configuration`` and ``/map``.

Ids, names, descriptions and ontology terms follow the spec's reference
``beaconConfiguration.json`` of the default model; each entry type's default schema is the
default model's ``<directory>/defaultSchema.json`` of the spec version we implement.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.spec import SPEC_MODEL_BASE_URL, SPEC_VERSION


@dataclass(frozen=True, slots=True)
class EntryType:
    id: str
    name: str
    path: str  # endpoint path segment, e.g. "g_variants"
    schema_directory: str  # directory of the default model, e.g. "genomicVariations"
    schema_name: str  # short name in the default schema id, e.g. "variant"
    description: str
    ontology_id: str
    ontology_label: str
    collection_of: tuple[str, ...] = ()  # entry type ids, for collections (datasets, cohorts)

    @property
    def schema_id(self) -> str:
        """Id of the default schema, as named in ``defaultSchema`` and ``returnedSchemas``."""
        return f"ga4gh-beacon-{self.schema_name}-{SPEC_VERSION}"

    @property
    def schema_url(self) -> str:
        return f"{SPEC_MODEL_BASE_URL}/{self.schema_directory}/defaultSchema.json"

    @property
    def is_collection(self) -> bool:
        return bool(self.collection_of)

    def ontology_term(self) -> JsonObject:
        return {"id": self.ontology_id, "label": self.ontology_label}

    def returned_schema(self) -> JsonObject:
        """The ``SchemasPerEntity`` item naming this entry type's default schema."""
        return {"entityType": self.id, "schema": self.schema_id}


GENOMIC_VARIANT = EntryType(
    id="genomicVariant",
    name="Genomic Variants",
    path="g_variants",
    schema_directory="genomicVariations",
    schema_name="variant",
    description="A copy-number variant observed in one or more biosamples.",
    ontology_id="ENSGLOSSARY:0000092",
    ontology_label="Variant",
)
INDIVIDUAL = EntryType(
    id="individual",
    name="Individual",
    path="individuals",
    schema_directory="individuals",
    schema_name="individual",
    description="A human being: a participant of the study the data come from.",
    ontology_id="NCIT:C25190",
    ontology_label="Person",
)
BIOSAMPLE = EntryType(
    id="biosample",
    name="Biological Sample",
    path="biosamples",
    schema_directory="biosamples",
    schema_name="biosample",
    description="A material sample taken from an individual and sequenced.",
    ontology_id="NCIT:C70699",
    ontology_label="Biospecimen",
)
ANALYSIS = EntryType(
    id="analysis",
    name="Bioinformatics analysis",
    path="analyses",
    schema_directory="analyses",
    schema_name="analysis",
    description="The variant calling applied to the sequencing data of a biosample.",
    ontology_id="edam:operation_2945",
    ontology_label="Analysis",
)
RUN = EntryType(
    id="run",
    name="Sequencing run",
    path="runs",
    schema_directory="runs",
    schema_name="run",
    description="The sequencing of one biosample.",
    ontology_id="NCIT:C148088",
    ontology_label="Sequencing run",
)
DATASET = EntryType(
    id="dataset",
    name="Dataset",
    path="datasets",
    schema_directory="datasets",
    schema_name="dataset",
    description="A set of copy-number calls ingested together, e.g. one call set release.",
    ontology_id="NCIT:C47824",
    ontology_label="Data set",
    collection_of=(GENOMIC_VARIANT.id, INDIVIDUAL.id, BIOSAMPLE.id),
)
COHORT = EntryType(
    id="cohort",
    name="Cohort",
    path="cohorts",
    schema_directory="cohorts",
    schema_name="cohort",
    description="A group of individuals sharing a sampled population or superpopulation.",
    ontology_id="NCIT:C61512",
    ontology_label="Cohort",
    collection_of=(INDIVIDUAL.id,),
)

ENTRY_TYPES: tuple[EntryType, ...] = (
    GENOMIC_VARIANT,
    INDIVIDUAL,
    BIOSAMPLE,
    ANALYSIS,
    RUN,
    DATASET,
    COHORT,
)
_BY_ID = {entry_type.id: entry_type for entry_type in ENTRY_TYPES}
_BY_PATH = {entry_type.path: entry_type for entry_type in ENTRY_TYPES}


def entry_type_by_id(entry_type_id: str) -> EntryType:
    """The entry type with this id; ``KeyError`` for an unknown one."""
    return _BY_ID[entry_type_id]


def entry_type_by_path(path: str) -> EntryType:
    """The entry type served under this path segment (``g_variants`` ...); ``KeyError`` if none."""
    return _BY_PATH[path]


def normalise_scope(scope: str) -> str | None:
    """The entry type id a filter ``scope`` names, given as an id or an endpoint path.

    The spec uses both spellings (``individual`` and ``individuals``); ``None`` if neither.
    """
    if scope in _BY_ID:
        return scope
    if scope in _BY_PATH:
        return _BY_PATH[scope].id
    return None
