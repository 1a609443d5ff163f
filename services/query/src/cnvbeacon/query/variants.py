"""Distinct variants: calls with the same chromosome, start, end and variant type.

A variant id names those four plus the assembly, e.g. ``GRCh38:1:1000-2000:DEL``, so it is
stable across ingests and resolves with one exact-match lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from cnvbeacon.shared.store.client import Document
from cnvbeacon.shared.vocabulary import Direction

VARIANT_TYPES: Final = tuple(d.value for d in Direction)  # the order of a variant's types
_TYPE_ORDER: Final = {name: rank for rank, name in enumerate(VARIANT_TYPES)}
_VARIANT_ID: Final = re.compile(
    r"^(?P<assembly>[A-Za-z0-9.]{1,20}):(?P<chrom>[A-Za-z0-9_.]{1,40}):"
    r"(?P<start>\d{1,10})-(?P<end>\d{1,10}):(?P<type>DEL|DUP|CNV)$"
)


# The stored call fields a variant is keyed by (with the assembly, in its id).
VARIANT_KEY_FIELDS: Final = ("chrom", "start", "end", "variant_type")


def variant_id_sql(assembly: str) -> str:
    """VariantKey.id as SQL over columns named as VARIANT_KEY_FIELDS, with the assembly
    the SQL expression `assembly` gives."""
    return f"concat({assembly}, ':', chrom, ':', start, '-', \"end\", ':', variant_type)"


@dataclass(frozen=True, slots=True)
class VariantKey:
    assembly: str
    chrom: str
    start: int
    end: int
    variant_type: str

    @property
    def id(self) -> str:
        return f"{self.assembly}:{self.chrom}:{self.start}-{self.end}:{self.variant_type}"

    @classmethod
    def parse(cls, text: str) -> VariantKey:
        matched = _VARIANT_ID.match(text)
        if matched is None:
            raise ValueError(
                f"{text!r} is not a variant id: expected assembly:chrom:start-end:type, "
                "e.g. GRCh38:1:1000-2000:DEL"
            )
        start, end = int(matched["start"]), int(matched["end"])
        if start >= end:
            raise ValueError(f"variant id {text!r} has start >= end")
        return cls(matched["assembly"], matched["chrom"], start, end, matched["type"])


@dataclass(slots=True)
class Variant:
    key: VariantKey
    calls: list[Document] = field(default_factory=list)


def _position(call: Document) -> tuple[str, int, int]:
    return (call["chrom"], call["start"], call["end"])


class VariantGrouper:
    """Groups a stream of calls ordered by (chromosome, start, end) into variants ordered by
    (chromosome, start, end, type); calls of a variant keep their stream order."""

    def __init__(self) -> None:
        self._group: list[Document] = []

    def feed(self, calls: list[Document]) -> list[Variant]:
        done: list[Variant] = []
        for call in calls:
            if self._group and _position(self._group[0]) != _position(call):
                done.extend(self._split())
            self._group.append(call)
        return done

    def finish(self) -> list[Variant]:
        return self._split()

    def _split(self) -> list[Variant]:
        by_type: dict[str, Variant] = {}
        for call in self._group:
            variant = by_type.get(call["variant_type"])
            if variant is None:
                key = VariantKey(
                    call["assembly"],
                    call["chrom"],
                    call["start"],
                    call["end"],
                    call["variant_type"],
                )
                variant = by_type[call["variant_type"]] = Variant(key)
            variant.calls.append(call)
        self._group = []
        return [by_type[t] for t in sorted(by_type, key=_TYPE_ORDER.__getitem__)]
