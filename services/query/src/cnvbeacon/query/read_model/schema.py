"""The read model's tables, derived from the call document's declaration.

`calls` holds every stored call field a reader uses (shared.formats.CALL_FIELDS) except
the individual attributes, which live once per biosample in `samples` (a registry change
rewrites one small row, not every call); `sample_no` joins them. `samples` holds exactly
the biosamples with data: those with at least one call. Column types come from
shared.models.CnvCall, so a new call field is declared there and in CALL_FIELDS only.

`individuals` is the registry: one row per stored individual (shared.models.Individual's
fields), whether or not it has calls.

Derived columns: `chrom_rank` (karyotype order, for genome-ordered results) and `shared`
(true for every call whose variant key (chrom, start, end, variant_type) another call may
have: distinct variants are then counted as the unshared calls plus the distinct keys of
the shared ones, a small set, instead of hashing every key).
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any, Final, Literal

from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.models import INDIVIDUAL_ATTRIBUTES, CnvCall, Individual

# Bump whenever a table changes: a read model of another version is rebuilt from the store.
SCHEMA_VERSION: Final = 2

SAMPLE_KEY: Final = ("dataset_id", "biosample_id")
SAMPLE_ATTRIBUTES: Final = INDIVIDUAL_ATTRIBUTES
# Stored call fields held in `calls` (the id is the document's `_id`).
CALL_COLUMNS: Final = ("id", *(f for f in CALL_FIELDS if f not in SAMPLE_ATTRIBUTES))
DERIVED_COLUMNS: Final = {"sample_no": "INTEGER", "chrom_rank": "SMALLINT", "shared": "BOOLEAN"}
# Rank of calls on contigs outside the assembly's karyotype (after every chromosome).
OTHER_CONTIG_RANK: Final = 1000
VARIANT_KEY: Final = ("chrom", "start", "end", "variant_type")

_SCALARS: Final[dict[type, str]] = {int: "BIGINT", float: "DOUBLE", str: "VARCHAR", bool: "BOOLEAN"}


def _duckdb_type(annotation: Any) -> str:
    """The DuckDB type of a pydantic field annotation (optional types are nullable)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            raise TypeError(f"no column type for {annotation!r}")
        return _duckdb_type(members[0])
    if origin is list:
        (member,) = typing.get_args(annotation)
        return f"{_duckdb_type(member)}[]"
    if origin is Literal:
        return "VARCHAR"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "VARCHAR"
    try:
        return _SCALARS[annotation]
    except (KeyError, TypeError):
        raise TypeError(f"no column type for {annotation!r}") from None


def field_type(name: str) -> str:
    return _duckdb_type(CnvCall.model_fields[name].annotation)


CALL_TYPES: Final = {name: field_type(name) for name in CALL_COLUMNS}
SAMPLE_TYPES: Final = {name: field_type(name) for name in (*SAMPLE_KEY, *SAMPLE_ATTRIBUTES)}
# The registry's columns: an individual's fields (its id is the document's `_id`).
INDIVIDUAL_TYPES: Final = {
    name: _duckdb_type(field.annotation) for name, field in Individual.model_fields.items()
}
INDIVIDUAL_COLUMNS: Final = tuple(INDIVIDUAL_TYPES)


def quoted(name: str) -> str:
    return f'"{name}"'


def _columns(types_: dict[str, str]) -> str:
    return ", ".join(f"{quoted(name)} {type_}" for name, type_ in types_.items())


def calls_table(name: str = "calls") -> str:
    return f"CREATE TABLE {name} ({_columns({**CALL_TYPES, **DERIVED_COLUMNS})})"


DDL: Final = (
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    # One row per dataset: the data_version the tables hold, and the dataset's document.
    "CREATE TABLE datasets (dataset_id VARCHAR PRIMARY KEY, assembly VARCHAR, "
    "data_version BIGINT, document JSON)",
    "CREATE SEQUENCE sample_numbers START 1",
    f"CREATE TABLE samples (sample_no INTEGER PRIMARY KEY, {_columns(SAMPLE_TYPES)})",
    calls_table(),
    f"CREATE TABLE individuals ({_columns(INDIVIDUAL_TYPES)})",
)
