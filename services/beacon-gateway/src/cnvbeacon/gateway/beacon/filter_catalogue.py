"""The filters this Beacon understands, and the filtering terms it advertises.

Three kinds, as in the spec:

* ontology terms: NCIT sex terms (``NCIT:C16576`` female ...) for individuals, biosamples
  and variants, and the EFO copy-number terms of :mod:`cnvbeacon.shared.vocabulary`
  (``EFO:0030067`` copy number loss ...) for variants; an EFO term matches its descendants
  unless ``includeDescendantTerms`` is false;
* custom terms for the 1kGP sampling groups: ``population:GBR``, ``superpopulation:EUR``
  (see :mod:`cnvbeacon.gateway.beacon.populations`);
* alphanumeric fields ``sex``, ``population`` and ``superpopulation``, compared with ``=``
  or ``!`` (not equal) to one of the listed values, e.g. ``{"id": "sex", "operator": "=",
  "value": "female"}`` or, in a GET request, ``sex=female``.

Every filter selects on one stored field (:class:`FilterField`, named as in
:mod:`cnvbeacon.shared.models`), so the query layer need not know about ontologies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cnvbeacon.gateway.beacon.entry_types import (
    ANALYSIS,
    BIOSAMPLE,
    GENOMIC_VARIANT,
    INDIVIDUAL,
    RUN,
    EntryType,
)
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.ontology_resources import EFO, NCIT
from cnvbeacon.gateway.beacon.populations import (
    POPULATIONS,
    SUPERPOPULATIONS,
    Population,
)
from cnvbeacon.shared import vocabulary
from cnvbeacon.shared.frequencies import GroupLevel


class FilterKind(StrEnum):
    ONTOLOGY = "ontologyTerm"
    ALPHANUMERIC = "alphanumeric"
    CUSTOM = "custom"


class FilterField(StrEnum):
    """The stored attribute a filter selects on (field names of the shared models)."""

    SEX = "sex"
    VARIANT_TYPE = "efo_id"
    POPULATION = "population"
    SUPERPOPULATION = "superpopulation"


class ComparisonOperator(StrEnum):
    """Operators of alphanumeric filters (the spec's enumeration)."""

    EQUAL = "="
    NOT_EQUAL = "!"
    LESS = "<"
    GREATER = ">"
    LESS_OR_EQUAL = "<="
    GREATER_OR_EQUAL = ">="


# Attributes of the sampled people apply to them, their biosamples, the runs and analyses of
# those, and the variants they carry.
SUBJECT_SCOPES: tuple[str, ...] = (
    INDIVIDUAL.id,
    BIOSAMPLE.id,
    RUN.id,
    ANALYSIS.id,
    GENOMIC_VARIANT.id,
)
VARIANT_SCOPES: tuple[str, ...] = (GENOMIC_VARIANT.id,)
CATEGORICAL_OPERATORS = frozenset({ComparisonOperator.EQUAL, ComparisonOperator.NOT_EQUAL})


class FilteringTerm(BaseModel):
    """One advertised filter: ``type`` is an ontology's name, ``alphanumeric`` or ``custom``."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(min_length=1)
    id: str = Field(min_length=1)
    label: str | None = None
    scopes: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        term: JsonObject = {"type": self.type, "id": self.id}
        if self.label is not None:
            term["label"] = self.label
        if self.scopes:
            term["scopes"] = list(self.scopes)
        if self.values:
            term["values"] = list(self.values)
        return term


@dataclass(frozen=True, slots=True)
class SupportedTerm:
    """An ontology or custom term: selects records whose ``field`` is in ``matched_values``."""

    id: str
    label: str
    kind: FilterKind
    type_name: str  # "type" of the filtering term: the ontology name, or "custom"
    scopes: tuple[str, ...]
    field: FilterField
    value: str  # the stored value of the term itself
    descendant_values: frozenset[str]  # stored values of the term and its descendants

    def matched_values(self, include_descendants: bool) -> frozenset[str]:
        return self.descendant_values if include_descendants else frozenset({self.value})

    def to_filtering_term(self) -> FilteringTerm:
        return FilteringTerm(type=self.type_name, id=self.id, label=self.label, scopes=self.scopes)


@dataclass(frozen=True, slots=True)
class SupportedField:
    """An alphanumeric filter: ``field`` compared with one of ``values``."""

    id: str
    label: str
    field: FilterField
    values: tuple[str, ...]
    scopes: tuple[str, ...]
    operators: frozenset[ComparisonOperator] = CATEGORICAL_OPERATORS

    def canonical_value(self, value: str) -> str | None:
        """The listed value equal to ``value`` ignoring case, or ``None``."""
        folded = value.casefold()
        return next((v for v in self.values if v.casefold() == folded), None)

    def to_filtering_term(self) -> FilteringTerm:
        return FilteringTerm(
            type=FilterKind.ALPHANUMERIC.value,
            id=self.id,
            label=self.label,
            scopes=self.scopes,
            values=self.values,
        )


@dataclass(frozen=True, slots=True)
class FilterCatalogue:
    terms: tuple[SupportedTerm, ...]
    fields: tuple[SupportedField, ...]

    def term(self, term_id: str) -> SupportedTerm | None:
        return next((t for t in self.terms if t.id == term_id), None)

    def field(self, field_id: str) -> SupportedField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def filtering_terms(self, entry_type: EntryType | None = None) -> list[FilteringTerm]:
        """Every supported filter (applying to ``entry_type``, if given) as a
        ``filteringTerms`` item of ``/filtering_terms``."""
        terms = [
            *(t.to_filtering_term() for t in self.terms),
            *(f.to_filtering_term() for f in self.fields),
        ]
        if entry_type is None:
            return terms
        return [term for term in terms if entry_type.id in term.scopes]


def sex_terms() -> tuple[SupportedTerm, ...]:
    return tuple(
        SupportedTerm(
            id=term.id,
            label=term.label,
            kind=FilterKind.ONTOLOGY,
            type_name=NCIT.name,
            scopes=SUBJECT_SCOPES,
            field=FilterField.SEX,
            value=sex,
            descendant_values=frozenset({sex}),
        )
        for sex, term in vocabulary.SEX_TERMS.items()
    )


def copy_number_terms() -> tuple[SupportedTerm, ...]:
    return tuple(
        SupportedTerm(
            id=term.id,
            label=term.label,
            kind=FilterKind.ONTOLOGY,
            type_name=EFO.name,
            scopes=VARIANT_SCOPES,
            field=FilterField.VARIANT_TYPE,
            value=term.id,
            descendant_values=vocabulary.descendants(term.id),
        )
        for term in vocabulary.CNV_TERMS.values()
    )


def _ancestry_field(level: GroupLevel) -> FilterField:
    if level is GroupLevel.POPULATION:
        return FilterField.POPULATION
    return FilterField.SUPERPOPULATION


def ancestry_terms(groups: Iterable[Population]) -> tuple[SupportedTerm, ...]:
    return tuple(
        SupportedTerm(
            id=group.term_id,
            label=f"{group.label} ({group.level.value} {group.code})",
            kind=FilterKind.CUSTOM,
            type_name=FilterKind.CUSTOM.value,
            scopes=SUBJECT_SCOPES,
            field=_ancestry_field(group.level),
            value=group.code,
            descendant_values=frozenset({group.code}),
        )
        for group in groups
    )


def alphanumeric_fields(groups: Iterable[Population]) -> tuple[SupportedField, ...]:
    group_list = list(groups)

    def codes(level: GroupLevel) -> tuple[str, ...]:
        return tuple(g.code for g in group_list if g.level is level)

    fields = [
        SupportedField(
            id="sex",
            label="sex of the individual",
            field=FilterField.SEX,
            values=tuple(vocabulary.SEX_TERMS),
            scopes=SUBJECT_SCOPES,
        )
    ]
    for level, label in (
        (GroupLevel.POPULATION, "1000 Genomes population code"),
        (GroupLevel.SUPERPOPULATION, "1000 Genomes superpopulation code"),
    ):
        if codes(level):
            fields.append(
                SupportedField(
                    id=level.value,
                    label=label,
                    field=_ancestry_field(level),
                    values=codes(level),
                    scopes=SUBJECT_SCOPES,
                )
            )
    return tuple(fields)


def build_filter_catalogue(
    ancestry_groups: Iterable[Population] = (*SUPERPOPULATIONS, *POPULATIONS),
) -> FilterCatalogue:
    """The catalogue of sex, copy-number and ancestry filters, for the given 1kGP groups."""
    groups = tuple(ancestry_groups)
    return FilterCatalogue(
        terms=(*sex_terms(), *copy_number_terms(), *ancestry_terms(groups)),
        fields=alphanumeric_fields(groups),
    )
