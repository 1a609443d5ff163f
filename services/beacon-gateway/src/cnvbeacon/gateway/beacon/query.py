"""The typed form of a Beacon request, whether it came as GET parameters or a POST body."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.filters import BeaconFilter
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.spec import Granularity, IncludeResultsetResponses


class Pagination(BaseModel):
    """Which page of records is asked for.

    In Beacon v2 ``skip`` counts *pages*, not records: with ``skip=2, limit=10`` the
    records 21 to 30 are returned (``offset`` 20). ``limit=0`` asks for as many records as
    the Beacon allows; ``page_size`` is then the configured maximum.
    """

    model_config = ConfigDict(frozen=True)

    skip: int = Field(ge=0, description="pages to skip")
    limit: int = Field(ge=0, description="page size as requested (0: the maximum allowed)")
    page_size: int = Field(ge=1, description="page size applied")

    @property
    def offset(self) -> int:
        """Number of records before the first one of the page."""
        return self.skip * self.page_size

    @property
    def capped(self) -> bool:
        """Whether the limit asked for is above the maximum (pages of the maximum apply)."""
        return self.limit > self.page_size

    def to_json(self) -> JsonObject:
        return {"skip": self.skip, "limit": self.limit}


class GenomicRange(BaseModel):
    """Range query: variants overlapping [start, end) (0-based, end exclusive)."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=1)


class GenomicBracket(BaseModel):
    """Bracket query: variants starting in [start_min, start_max] and ending in [end_min, end_max].

    The two positions of each bracket are passed through as given; whether the upper bound
    is inclusive is the query layer's convention (the spec's "start[1] = start[0] + 1 for a
    precise match" suggests it is exclusive).
    """

    model_config = ConfigDict(frozen=True)

    start_min: int = Field(ge=0)
    start_max: int = Field(ge=0)
    end_min: int = Field(ge=1)
    end_max: int = Field(ge=1)


class VariantQuery(BaseModel):
    """The ``g_variant`` request parameters we support (copy-number variants only)."""

    model_config = ConfigDict(frozen=True)

    reference_name: str | None = None
    location: GenomicRange | GenomicBracket | None = None
    variant_type: str | None = Field(default=None, description="as requested, e.g. 'DEL'")
    variant_type_ids: frozenset[str] = Field(
        default=frozenset(), description="EFO ids it matches, descendants included"
    )
    variant_min_length: int | None = Field(default=None, ge=0)
    variant_max_length: int | None = Field(default=None, ge=1)
    gene_id: str | None = None
    assembly_id: str | None = None
    cytoband: str | None = None

    def to_request_parameters(self) -> JsonObject:
        """The parameters with their Beacon names, as echoed in the request summary."""
        parameters: JsonObject = {}
        if self.assembly_id is not None:
            parameters["assemblyId"] = self.assembly_id
        if self.reference_name is not None:
            parameters["referenceName"] = self.reference_name
        if isinstance(self.location, GenomicRange):
            parameters["start"] = [self.location.start]
            parameters["end"] = [self.location.end]
        elif isinstance(self.location, GenomicBracket):
            parameters["start"] = [self.location.start_min, self.location.start_max]
            parameters["end"] = [self.location.end_min, self.location.end_max]
        optional = {
            "variantType": self.variant_type,
            "variantMinLength": self.variant_min_length,
            "variantMaxLength": self.variant_max_length,
            "geneId": self.gene_id,
            "cytoBand": self.cytoband,
        }
        parameters.update({name: value for name, value in optional.items() if value is not None})
        return parameters


class RequestedSchema(BaseModel):
    model_config = ConfigDict(frozen=True)

    entity_type: str | None = None
    schema_id: str

    def to_json(self) -> JsonObject:
        if self.entity_type is None:
            return {"schema": self.schema_id}
        return {"entityType": self.entity_type, "schema": self.schema_id}


class BeaconQuery(BaseModel):
    """A validated Beacon request."""

    model_config = ConfigDict(frozen=True)

    api_version: str | None = Field(default=None, description="as sent by the client, if any")
    requested_schemas: tuple[RequestedSchema, ...] = ()
    pagination: Pagination
    requested_granularity: Granularity
    include_resultset_responses: IncludeResultsetResponses = IncludeResultsetResponses.HIT
    test_mode: bool = False
    filters: tuple[BeaconFilter, ...] = ()
    variant: VariantQuery | None = None
    dataset_ids: tuple[str, ...] = ()
