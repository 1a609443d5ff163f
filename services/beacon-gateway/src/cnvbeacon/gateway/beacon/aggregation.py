"""Merging the answers of several Beacons into one, as the ELIXIR Beacon Network does.

Each member's answer is a :class:`MemberAnswer`: a parsed Beacon response, or why there is
none (timed out, failed, not found). The merge keeps the aggregator's own ``meta``:

* ``responseSummary``: ``numTotalResults`` summed over the members that count,
  ``exists`` true when any member's does (so a count of 0 with ``exists`` true can only come
  from boolean-only members);
* ``response.resultSets`` (or ``collections``) concatenated, each tagged with its Beacon in
  ``info.beaconId`` (result sets keep their own ids: two Beacons may both have a dataset
  ``1kgp``);
* ``info.aggregation.beacons``: one entry per member with its status, time and count; a
  member that timed out or failed is reported there and changes nothing else;
* ``/filtering_terms``: the union of the members' terms (by type and id) and resources.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cnvbeacon.gateway.beacon.json_types import JsonObject

MEMBER_ID_MEMBER = "beaconId"


class MemberStatus(StrEnum):
    OK = "ok"
    NOT_FOUND = "not found"  # answered 404: no such entry there
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class MemberAnswer:
    url: str
    status: MemberStatus
    elapsed_ms: float
    document: JsonObject | None = None
    error: str | None = None
    name: str | None = None  # the member's Beacon id when known without an answer

    @property
    def beacon_id(self) -> str:
        meta = (self.document or {}).get("meta")
        beacon_id = meta.get("beaconId") if isinstance(meta, dict) else None
        return str(beacon_id or self.name or self.url)

    @property
    def summary(self) -> JsonObject:
        if self.status is not MemberStatus.OK or self.document is None:
            return {}
        summary = self.document.get("responseSummary")
        return summary if isinstance(summary, dict) else {}

    def report(self) -> JsonObject:
        entry: JsonObject = {
            MEMBER_ID_MEMBER: self.beacon_id,
            "url": self.url,
            "status": self.status.value,
            "elapsedMs": round(self.elapsed_ms, 1),
        }
        summary = self.summary
        if "exists" in summary:
            entry["exists"] = bool(summary["exists"])
        if isinstance(summary.get("numTotalResults"), int):
            entry["numTotalResults"] = summary["numTotalResults"]
        if self.error is not None:
            entry["error"] = self.error
        return entry


def malformed(answer: object) -> str | None:
    """Why a peer's answer is not a usable Beacon response (``None`` if it is)."""
    if not isinstance(answer, dict):
        return "the answer is not a JSON object"
    summary = answer.get("responseSummary")
    if not isinstance(summary, dict) or not isinstance(summary.get("exists"), bool):
        return "the answer has no responseSummary.exists"
    count = summary.get("numTotalResults")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        return "numTotalResults is not a non-negative integer"
    response = answer.get("response")
    if response is not None and not isinstance(response, dict):
        return "response is not an object"
    for member in ("resultSets", "collections"):
        items = (response or {}).get(member)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, dict) for i in items)
        ):
            return f"response.{member} is not a list of objects"
    return None


def malformed_filtering_terms(answer: object) -> str | None:
    """Why a peer's ``/filtering_terms`` answer is not usable (``None`` if it is)."""
    response = answer.get("response") if isinstance(answer, dict) else None
    if not isinstance(response, dict) or not isinstance(response.get("filteringTerms"), list):
        return "the answer has no response.filteringTerms"
    return None


def _tagged(items: list[JsonObject], beacon_id: str) -> list[JsonObject]:
    tagged = []
    for item in items:
        copied = dict(item)
        info = copied.get("info")
        copied["info"] = {**(info if isinstance(info, dict) else {}), MEMBER_ID_MEMBER: beacon_id}
        tagged.append(copied)
    return tagged


def merge_query_responses(own: JsonObject, members: Sequence[MemberAnswer]) -> JsonObject:
    """``own`` (the aggregator's response, with its meta) merged with every member's answer;
    ``members`` includes the aggregator's own local answer if it should be tagged and reported
    like the others."""
    merged = copy.deepcopy(own)
    counted = [m for m in members if isinstance(m.summary.get("numTotalResults"), int)]
    exists = any(bool(m.summary.get("exists")) for m in members)
    summary: JsonObject = {"exists": exists}
    if "numTotalResults" in own.get("responseSummary", {}):
        summary["numTotalResults"] = sum(int(m.summary["numTotalResults"]) for m in counted)
    merged["responseSummary"] = summary
    if "response" in own:
        for member in ("resultSets", "collections"):
            if member in own["response"]:
                merged["response"][member] = [
                    item
                    for answer in members
                    if answer.status is MemberStatus.OK and answer.document is not None
                    for item in _tagged(
                        list((answer.document.get("response") or {}).get(member) or []),
                        answer.beacon_id,
                    )
                ]
    info = merged.get("info")
    merged["info"] = {
        **(info if isinstance(info, dict) else {}),
        "aggregation": {"beacons": [m.report() for m in members]},
    }
    return merged


def merge_filtering_terms(own: JsonObject, members: Sequence[MemberAnswer]) -> JsonObject:
    """The union of every member's filtering terms and ontology resources."""
    merged = copy.deepcopy(own)
    terms: dict[tuple[str, str], JsonObject] = {}
    resources: dict[str, JsonObject] = {}
    for answer in members:
        if answer.status is not MemberStatus.OK or answer.document is None:
            continue
        response = answer.document.get("response") or {}
        for term in response.get("filteringTerms") or []:
            if isinstance(term, dict) and isinstance(term.get("id"), str):
                terms.setdefault((str(term.get("type")), term["id"]), term)
        for resource in response.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("id"), str):
                resources.setdefault(resource["id"], resource)
    merged["response"] = {
        "filteringTerms": list(terms.values()),
        "resources": list(resources.values()),
    }
    merged["info"] = {"aggregation": {"beacons": [m.report() for m in members]}}
    return merged
