"""What the path of a request adds to its query: ``/individuals/HG00096/g_variants`` searches
the variants of HG00096's biosamples, ``/cohorts/GBR/individuals`` the individuals of the
GBR population, ``/g_variants/{id}`` that one variant.

An anchor (the entry named in the path) resolves, through our services, into a
:class:`Scope`; an unknown anchor is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cnvbeacon.gateway.beacon.entry_types import (
    ANALYSIS,
    BIOSAMPLE,
    COHORT,
    DATASET,
    GENOMIC_VARIANT,
    INDIVIDUAL,
    RUN,
    EntryType,
)
from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.beacon.filter_catalogue import FilterField
from cnvbeacon.gateway.beacon.populations import KNOWN_ANCESTRY, Population
from cnvbeacon.gateway.beacon.sample_entries import biosample_of
from cnvbeacon.gateway.metadata import Metadata
from cnvbeacon.gateway.upstream import ServiceClient
from cnvbeacon.shared.frequencies import GroupLevel

PerDataset = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Scope:
    """Restrictions a path adds; ``None`` members do not restrict."""

    dataset_ids: frozenset[str] | None = None
    variant_id: str | None = None
    variant: Mapping[str, Any] | None = None  # the query service's view of variant_id
    individuals: PerDataset | None = None  # individual ids per dataset
    biosamples: PerDataset | None = None  # biosample ids per dataset
    attributes: Mapping[FilterField, frozenset[str]] = field(default_factory=dict)

    def allows(self, dataset_id: str) -> bool:
        return self.dataset_ids is None or dataset_id in self.dataset_ids


EVERYTHING = Scope()


def not_found(entry_type: EntryType, entry_id: str) -> BeaconRequestError:
    return BeaconRequestError(404, f"no {entry_type.name.lower()} {entry_id!r}", "id")


def cohort_group(cohort_id: str) -> Population | None:
    """The 1kGP group a cohort id names: a population or superpopulation code."""
    for level in (GroupLevel.SUPERPOPULATION, GroupLevel.POPULATION):
        group = KNOWN_ANCESTRY.get((level, cohort_id))
        if group is not None:
            return group
    return None


def _path(prefix: str, entry_id: str) -> str:
    return f"{prefix}/{quote(entry_id, safe='')}"


async def resolve(
    entry_type: EntryType, entry_id: str, query: ServiceClient, metadata: Metadata
) -> Scope:
    """The scope of the entry ``entry_id`` of ``entry_type``; 404 if there is none."""
    if entry_type is DATASET:
        if entry_id not in await metadata.datasets():
            raise not_found(entry_type, entry_id)
        return Scope(dataset_ids=frozenset({entry_id}))
    if entry_type is COHORT:
        group = cohort_group(entry_id)
        if group is None:
            raise not_found(entry_type, entry_id)
        attribute = (
            FilterField.POPULATION
            if group.level is GroupLevel.POPULATION
            else FilterField.SUPERPOPULATION
        )
        return Scope(attributes={attribute: frozenset({group.code})})
    if entry_type is GENOMIC_VARIANT:
        body = await query.get_json_or_none(_path("/variants", entry_id))
        if body is None:
            raise not_found(entry_type, entry_id)
        variant = body["variant"]
        return Scope(
            dataset_ids=frozenset(variant["dataset_ids"]), variant_id=entry_id, variant=variant
        )
    if entry_type is INDIVIDUAL:
        body = await query.get_json_or_none(_path("/individuals", entry_id))
        if body is None:
            raise not_found(entry_type, entry_id)
        found = body["individuals"]
        return Scope(
            dataset_ids=frozenset(i["dataset_id"] for i in found),
            individuals={i["dataset_id"]: (entry_id,) for i in found},
            biosamples={
                i["dataset_id"]: tuple(i.get("biosample_ids") or [entry_id]) for i in found
            },
        )
    biosample_id: str | None = entry_id
    if entry_type in (ANALYSIS, RUN):
        biosample_id = biosample_of(entry_type, entry_id)
    body = (
        None
        if biosample_id is None
        else await query.get_json_or_none(_path("/biosamples", biosample_id))
    )
    found = [] if body is None else body["biosamples"]
    if entry_type in (ANALYSIS, RUN):
        # Runs and analyses exist for biosamples with calls only.
        found = [b for b in found if b.get("has_calls")]
    if not found or biosample_id is None:
        raise not_found(entry_type, entry_id)
    assert entry_type in (BIOSAMPLE, ANALYSIS, RUN)
    return Scope(
        dataset_ids=frozenset(b["dataset_id"] for b in found),
        individuals={b["dataset_id"]: (str(b["individual_id"]),) for b in found},
        biosamples={b["dataset_id"]: (biosample_id,) for b in found},
    )
