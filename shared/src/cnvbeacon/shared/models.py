"""Document models stored in MongoDB.

These pydantic models are the schema of record. Hot paths (the VCF parser writing
hundreds of thousands of calls a second) build plain dicts with exactly these keys;
tests validate such dicts against the models.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.shared.vocabulary import Direction

Sex = Literal["female", "male", "unknown"]
# The fields of a call that are its biosample's individual's attributes: copied onto every
# call at ingest and kept equal to the registry when it changes.
INDIVIDUAL_ATTRIBUTES: Final = ("individual_id", "sex", "population", "superpopulation")


class CnvCall(BaseModel):
    """One copy-number call of one biosample (one carrier of one VCF record)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(alias="_id")
    dataset_id: str
    assembly: str
    chrom: str = Field(description="normalised chromosome name: 1..22, X, Y, M or the contig name")
    start: int = Field(ge=0, description="0-based, inclusive")
    end: int = Field(description="0-based, exclusive")
    length: int = Field(ge=1)
    length_class: int = Field(ge=0, description="floor(log10(length)); see shared.intervals")
    variant_type: Direction
    efo_id: str
    copy_number: float | None
    copy_ratio: float | None
    genotype: str | None
    zygosity_id: str | None
    quality: float | None
    filters: list[str]
    is_pass: bool
    vcf_id: str | None
    biosample_id: str
    individual_id: str
    sex: Sex | None = None
    population: str | None = None
    superpopulation: str | None = None
    file_digest: str
    job_id: str
    source_line: int = Field(ge=1)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobError(BaseModel):
    file: str
    line: int | None
    message: str


class JobCounts(BaseModel):
    records_read: int = 0
    calls_stored: int = 0
    records_skipped: int = 0
    skipped_by_reason: dict[str, int] = Field(default_factory=dict)


class Job(BaseModel):
    """An ingest job: one VCF into one dataset."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    batch_id: str | None = None
    dataset_id: str
    assembly: str | None = None
    source: str = Field(description="file name, URL or inbox path as submitted")
    file_id: str | None = Field(default=None, description="GridFS id of an uploaded file")
    sample_id: str | None = None
    state: JobState = JobState.QUEUED
    attempts: int = 0
    counts: JobCounts = Field(default_factory=JobCounts)
    error: JobError | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Individual(BaseModel):
    """A person (1kGP: one per sample), with the attributes queries filter on."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="dataset-scoped: '<dataset>:<individual>'")
    dataset_id: str
    individual_id: str
    sex: Sex = "unknown"
    population: str | None = None
    population_name: str | None = None
    superpopulation: str | None = None
    superpopulation_name: str | None = None
    biosample_ids: list[str] = Field(default_factory=list)


class Dataset(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    name: str
    description: str = ""
    assembly: str
    synthetic: bool = False
    created_at: datetime
    updated_at: datetime
    # Bumped whenever calls are added or replaced, so derived results can tell they are stale.
    data_version: int = 0
