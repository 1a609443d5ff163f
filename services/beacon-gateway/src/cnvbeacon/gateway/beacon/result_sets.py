"""beaconResultsetsResponse: record-level results, one result set per dataset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnvbeacon.gateway.beacon.entry_types import EntryType
from cnvbeacon.gateway.beacon.handovers import Handover, handovers_to_json
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.query import BeaconQuery
from cnvbeacon.gateway.beacon.response_meta import build_response_meta
from cnvbeacon.gateway.beacon.spec import Granularity, IncludeResultsetResponses

DATASET_SET_TYPE = "dataset"
_ORDER = (Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD)


@dataclass(frozen=True, slots=True)
class ResultSet:
    """The results of one dataset: ``count`` matched in all, ``results`` this page of them.

    ``granularity`` is the finest this dataset may be shown at: a ``count`` set lists its
    count but no records, a ``boolean`` one only adds to ``exists`` (it is neither counted
    nor listed).
    """

    id: str
    count: int
    results: Sequence[JsonObject] = ()
    handovers: Sequence[Handover] = ()
    info: JsonObject | None = None
    set_type: str = DATASET_SET_TYPE
    granularity: Granularity = Granularity.RECORD

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"result set {self.id!r}: negative count {self.count}")
        if self.results and self.granularity is not Granularity.RECORD:
            raise ValueError(f"result set {self.id!r}: records at {self.granularity} granularity")
        if len(self.results) > self.count:
            raise ValueError(
                f"result set {self.id!r}: {len(self.results)} results but a count of {self.count}"
            )

    @property
    def exists(self) -> bool:
        return self.count > 0

    @property
    def counted(self) -> bool:
        """Whether its count may be shown (it is not a boolean-only dataset)."""
        return self.granularity is not Granularity.BOOLEAN

    def shown_at(self, granularity: Granularity) -> Granularity:
        """The granularity this set is shown at in a response of ``granularity``."""
        return min(granularity, self.granularity, key=_ORDER.index)

    def to_json(self) -> JsonObject:
        result_set: JsonObject = {
            "id": self.id,
            "setType": self.set_type,
            "exists": self.exists,
            "resultsCount": self.count,
            "results": list(self.results),
        }
        if self.granularity is not Granularity.RECORD:
            result_set["info"] = {"returnedGranularity": self.granularity.value}
        if self.handovers:
            result_set["resultsHandovers"] = handovers_to_json(self.handovers)
        if self.info is not None:
            result_set["info"] = {**result_set.get("info", {}), **self.info}
        return result_set


def counted_total(result_sets: Sequence[ResultSet]) -> int:
    """``numTotalResults``: the counts of the sets whose counts may be shown."""
    return sum(s.count for s in result_sets if s.counted)


def select_result_sets(
    result_sets: Sequence[ResultSet], include: IncludeResultsetResponses
) -> list[ResultSet]:
    """The result sets a response lists: those with hits (HIT), without (MISS), all, none;
    never boolean-only ones."""
    result_sets = [s for s in result_sets if s.counted]
    if include is IncludeResultsetResponses.ALL:
        return list(result_sets)
    if include is IncludeResultsetResponses.HIT:
        return [s for s in result_sets if s.exists]
    if include is IncludeResultsetResponses.MISS:
        return [s for s in result_sets if not s.exists]
    return []


def build_summary(result_sets: Sequence[ResultSet]) -> JsonObject:
    """``responseSummary``: exists from any set (boolean-only ones too), counts of the others."""
    exists = any(s.exists for s in result_sets)
    return {"exists": exists, "numTotalResults": counted_total(result_sets)}


def listed_result_sets(query: BeaconQuery, result_sets: Sequence[ResultSet]) -> list[JsonObject]:
    return [s.to_json() for s in select_result_sets(result_sets, query.include_resultset_responses)]


def build_resultsets_response(
    identity: BeaconIdentity,
    query: BeaconQuery,
    entry_type: EntryType,
    result_sets: Sequence[ResultSet],
    handovers: Sequence[Handover] = (),
    info: JsonObject | None = None,
) -> JsonObject:
    """The response of a record-level query over the given datasets' result sets.

    ``responseSummary`` counts every result set, listed or not; which are listed follows
    the request's ``includeResultsetResponses``.
    """
    meta = build_response_meta(identity, query, Granularity.RECORD, [entry_type.returned_schema()])
    response: JsonObject = {
        "meta": meta,
        "responseSummary": build_summary(result_sets),
        "response": {"resultSets": listed_result_sets(query, result_sets)},
    }
    if handovers:
        response["beaconHandovers"] = handovers_to_json(handovers)
    if info is not None:
        response["info"] = info
    return response
