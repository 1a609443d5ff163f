"""Handovers: typed links attached to a response or to one result set."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.json_types import JsonObject

CURIE_PATTERN = r"^\w[^:]+:.+$"


class Handover(BaseModel):
    """``handoverType`` is an ontology term (``CUSTOM:...`` when no ontology has one)."""

    model_config = ConfigDict(frozen=True)

    type_id: str = Field(pattern=CURIE_PATTERN, examples=["EDAM:3016"])
    type_label: str = Field(min_length=1, examples=["VCF"])
    url: str = Field(min_length=1)
    note: str | None = None

    def to_json(self) -> JsonObject:
        handover: JsonObject = {
            "handoverType": {"id": self.type_id, "label": self.type_label},
            "url": self.url,
        }
        if self.note is not None:
            handover["note"] = self.note
        return handover


def handovers_to_json(handovers: Sequence[Handover]) -> list[JsonObject]:
    return [handover.to_json() for handover in handovers]
