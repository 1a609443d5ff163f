"""Parsing lookup parameters into a CallQuery; every problem names its parameter."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from cnvbeacon.query.datasets import DatasetInfo
from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.variant_regions import RegionOrder
from cnvbeacon.query.views import CALL_VIEW_FIELDS, CallFields
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.reference.assemblies import normalise_assembly
from cnvbeacon.shared.reference.chromosomes import (
    chromosome_length,
    chromosomes,
    normalise_chromosome,
)
from cnvbeacon.shared.reference.cytobands import cytoband_region
from cnvbeacon.shared.reference.genes import gene_loci
from cnvbeacon.shared.vocabulary import expand_variant_types

MAX_COORDINATE = 10**10
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
_REGION = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>[\d,]+)-(?P<end>[\d,]+)$")
_SEXES = {"female", "male", "unknown"}

REGION_PARAMETERS: Final = frozenset(
    {
        "assembly",
        "chrom",
        "start",
        "end",
        "start_max",
        "end_min",
        "match",
        "region",
        "gene",
        "cytoband",
    }
)
ATTRIBUTE_PARAMETERS: Final = frozenset({"sex", "population", "superpopulation"})
CALL_FILTER_PARAMETERS: Final = frozenset(
    {
        "variant_type",
        "min_length",
        "max_length",
        "min_copy_number",
        "max_copy_number",
        "pass_only",
        "biosample_id",
    }
)
PAGE_PARAMETERS: Final = frozenset({"skip", "limit"})
# Options of /variants only.
VARIANT_PARAMETERS: Final = frozenset({"all_carriers"})
# Options of /calls only.
CALL_PARAMETERS: Final = frozenset({"fields"})

LOOKUP_PARAMETERS: Final = (
    REGION_PARAMETERS | ATTRIBUTE_PARAMETERS | CALL_FILTER_PARAMETERS | {"datasets"}
)


class ParameterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class Region:
    assembly: str
    chrom: str
    start: int
    end: int
    label: str


def _integer(
    params: Mapping[str, str], name: str, *, minimum: int = 0, maximum: int = MAX_COORDINATE
) -> int | None:
    text = params.get(name)
    if text is None or text == "":
        return None
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise ParameterError(name, f"must be a whole number, got {text!r}") from None
    if not minimum <= value <= maximum:
        raise ParameterError(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


def _number(params: Mapping[str, str], name: str) -> float | None:
    text = params.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(name, f"must be a number, got {text!r}") from None
    if not 0 <= value < 1e6:
        raise ParameterError(name, f"must be between 0 and 1e6, got {text}")
    return value


def _list(params: Mapping[str, str], name: str) -> list[str] | None:
    text = params.get(name)
    if text is None or text.strip() == "":
        return None
    return [item.strip() for item in text.split(",") if item.strip()]


def _identifiers(params: Mapping[str, str], name: str) -> frozenset[str] | None:
    items = _list(params, name)
    if items is None:
        return None
    for item in items:
        if not _IDENTIFIER.match(item):
            raise ParameterError(name, f"{item!r} is not a valid identifier")
    return frozenset(items)


def _boolean(params: Mapping[str, str], name: str) -> bool:
    text = params.get(name, "false").lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ParameterError(name, f"must be true or false, got {text!r}")


def parse_assembly(params: Mapping[str, str], default: str) -> str:
    try:
        return normalise_assembly(params.get("assembly") or default)
    except ValueError as error:
        raise ParameterError("assembly", str(error)) from None


def parse_region(params: Mapping[str, str], assembly: str) -> Region:
    """The region from chrom/start/end, region=chr:start-end, gene=SYMBOL or cytoband=BAND."""
    given = [name for name in ("region", "gene", "cytoband") if params.get(name)]
    if params.get("chrom"):
        given.append("chrom")
    if len(given) > 1:
        raise ParameterError(
            given[1], f"give only one of chrom, region, gene, cytoband (got {', '.join(given)})"
        )
    if not given:
        raise ParameterError(
            "chrom",
            "a region is required: chrom with start and end, "
            "region=chr1:1000-2000, gene or cytoband",
        )
    source = given[0]
    if source != "chrom":
        for name in ("start", "end"):
            if params.get(name):
                raise ParameterError(name, f"is only used with chrom, not with {source}")
    if source == "gene":
        symbol = params["gene"].strip()
        loci = gene_loci(symbol, assembly)
        if not loci:
            raise ParameterError("gene", f"unknown gene {symbol!r} in {assembly}")
        locus = loci[0]
        return Region(assembly, locus.chrom, locus.start, locus.end, locus.symbol)
    if source == "cytoband":
        try:
            band = cytoband_region(params["cytoband"], assembly)
        except ValueError as error:
            raise ParameterError("cytoband", str(error)) from None
        return Region(assembly, band.chrom, band.start, band.end, params["cytoband"])
    if source == "region":
        matched = _REGION.match(params["region"].strip())
        if matched is None:
            raise ParameterError("region", "use the form chr1:1,000,000-2,000,000")
        fields = {"chrom": matched["chrom"], "start": matched["start"], "end": matched["end"]}
        return _explicit_region(fields, assembly, "region")
    return _explicit_region(params, assembly, "chrom")


def _explicit_region(params: Mapping[str, str], assembly: str, label_from: str) -> Region:
    try:
        chrom = normalise_chromosome(params["chrom"], assembly)
    except ValueError as error:
        raise ParameterError(label_from, str(error)) from None
    length = chromosome_length(chrom, assembly)
    start = _integer(params, "start")
    end = _integer(params, "end")
    start = 0 if start is None else start
    end = length if end is None else end
    if start > end:
        raise ParameterError("start", f"start ({start}) is after end ({end})")
    if start > length:
        raise ParameterError(
            "start",
            f"start ({start}) is past the end of chromosome {chrom} ({length} bases in {assembly})",
        )
    return Region(assembly, chrom, start, min(end, length), f"{chrom}:{start}-{end}")


def parse_match(params: Mapping[str, str], region: Region) -> Window:
    text = params.get("match") or Match.OVERLAP.value
    try:
        match = Match(text)
    except ValueError:
        raise ParameterError("match", f"must be one of {[m.value for m in Match]}") from None
    if match is not Match.BRACKET:
        for name in ("start_max", "end_min"):
            if params.get(name):
                raise ParameterError(name, "is only used with match=bracket")
        return Window(match, region.start, region.end)
    start_max = _integer(params, "start_max")
    end_min = _integer(params, "end_min")
    if start_max is None or end_min is None:
        raise ParameterError(
            "start_max" if start_max is None else "end_min",
            "bracket queries need start, start_max, end_min and end",
        )
    if start_max < region.start:
        raise ParameterError("start_max", "must not be below start")
    if end_min > region.end:
        raise ParameterError("end_min", "must not be above end")
    return Window(match, region.start, region.end, start_max, end_min)


def parse_filters(params: Mapping[str, str]) -> CallFilters:
    variant_types = _list(params, "variant_type")
    try:
        efo_ids = expand_variant_types(variant_types) if variant_types else None
    except ValueError as error:
        raise ParameterError("variant_type", str(error)) from None
    min_length = _integer(params, "min_length", minimum=1)
    max_length = _integer(params, "max_length", minimum=1)
    if min_length is not None and max_length is not None and min_length > max_length:
        raise ParameterError("min_length", "must not be above max_length")
    min_cn = _number(params, "min_copy_number")
    max_cn = _number(params, "max_copy_number")
    if min_cn is not None and max_cn is not None and min_cn > max_cn:
        raise ParameterError("min_copy_number", "must not be above max_copy_number")
    sexes = _list(params, "sex")
    if sexes is not None and not set(sexes) <= _SEXES:
        raise ParameterError("sex", f"must be among {sorted(_SEXES)}")
    return CallFilters(
        efo_ids=efo_ids,
        min_length=min_length,
        max_length=max_length,
        min_copy_number=min_cn,
        max_copy_number=max_cn,
        pass_only=_boolean(params, "pass_only"),
        biosample_ids=_identifiers(params, "biosample_id"),
        sexes=frozenset(sexes) if sexes else None,
        populations=_identifiers(params, "population"),
        superpopulations=_identifiers(params, "superpopulation"),
    )


def check_known(params: Mapping[str, str], allowed: Collection[str]) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter")


def has_region(params: Mapping[str, str]) -> bool:
    return any(params.get(name) for name in ("chrom", "region", "gene", "cytoband"))


def has_call_filters(params: Mapping[str, str]) -> bool:
    return has_region(params) or any(params.get(name) for name in CALL_FILTER_PARAMETERS)


@dataclass(frozen=True, slots=True)
class LookupRequest:
    """What a lookup request asks for."""

    assembly: str
    dataset_ids: tuple[str, ...]
    region: Region | None  # None: the whole genome
    query: CallQuery

    @property
    def label(self) -> str:
        return self.region.label if self.region else "whole genome"

    def echo(self) -> dict[str, object]:
        region = self.region
        return {
            "datasets": list(self.dataset_ids),
            "assembly": self.assembly,
            "chrom": region.chrom if region else None,
            "start": region.start if region else None,
            "end": region.end if region else None,
            "label": self.label,
            "match": (self.query.window.match if self.query.window else Match.OVERLAP).value,
        }


def parse_datasets(
    params: Mapping[str, str], datasets: Mapping[str, DatasetInfo], default_assembly: str
) -> tuple[str, tuple[str, ...]]:
    """(assembly, dataset ids): the datasets asked for, else every dataset of the assembly.
    Without an assembly parameter, requested datasets give theirs."""
    requested = _identifiers(params, "datasets")
    for dataset_id in sorted(requested or ()):
        if dataset_id not in datasets:
            raise ParameterError("datasets", f"unknown dataset {dataset_id!r}")
    assemblies = {datasets[d].normalised_assembly for d in requested or ()}
    if not params.get("assembly") and len(assemblies) == 1:
        assembly = next(iter(assemblies))
    else:
        assembly = parse_assembly(params, default_assembly)
    if requested:
        wrong = sorted(d for d in requested if datasets[d].normalised_assembly != assembly)
        if wrong:
            raise ParameterError("datasets", f"dataset {wrong[0]!r} is not on {assembly}")
        return assembly, tuple(sorted(requested))
    return assembly, tuple(
        d for d, info in datasets.items() if info.normalised_assembly == assembly
    )


def parse_lookups(
    params: Mapping[str, str],
    *,
    datasets: Mapping[str, DatasetInfo],
    default_assembly: str,
    region_required: bool,
) -> LookupRequest:
    """The query of a request: its region's, or (when allowed) the whole genome's."""
    assembly, dataset_ids = parse_datasets(params, datasets, default_assembly)
    filters = parse_filters(params)
    if has_region(params) or region_required:
        region = parse_region(params, assembly)
        window = parse_match(params, region)
        return LookupRequest(
            assembly, dataset_ids, region, CallQuery(dataset_ids, (region.chrom,), window, filters)
        )
    for name in ("start", "end", "start_max", "end_min", "match"):
        if params.get(name):
            raise ParameterError(name, "needs a region: chrom, region, gene or cytoband")
    query = CallQuery(dataset_ids, tuple(chromosomes(assembly)), None, filters)
    return LookupRequest(assembly, dataset_ids, None, query)


def parse_attributes(params: Mapping[str, str]) -> CallFilters:
    """Only the individual attributes (sex, population, superpopulation)."""
    return parse_filters({k: v for k, v in params.items() if k in ATTRIBUTE_PARAMETERS})


def parse_page(params: Mapping[str, str], default_limit: int, max_limit: int) -> tuple[int, int]:
    skip = _integer(params, "skip", maximum=10**9) or 0
    limit = _integer(params, "limit", maximum=max_limit)
    return skip, default_limit if limit is None else limit


def parse_all_carriers(params: Mapping[str, str]) -> bool:
    """`all_carriers`: a variant lists every carrier in the datasets, not only the
    matching calls' (what frequencies of a filtered search need)."""
    return _boolean(params, "all_carriers")


def parse_fields(params: Mapping[str, str]) -> CallFields:
    """`fields`: the comma-separated fields of each call an answer needs (default: its id
    and stored fields)."""
    text = params.get("fields", "").strip()
    if not text:
        return CallFields()
    asked = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(asked.difference(CALL_VIEW_FIELDS))
    if unknown:
        raise ParameterError(
            "fields", f"unknown call fields {unknown}; choose from {', '.join(CALL_VIEW_FIELDS)}"
        )
    return CallFields(tuple(name for name in CALL_VIEW_FIELDS if name in asked))


def parse_record_id(value: str, name: str = "id") -> str:
    if not _RECORD_ID.match(value):
        raise ParameterError(name, f"{value!r} is not a valid identifier")
    return value


def parse_dataset_id(params: Mapping[str, str], datasets: Mapping[str, DatasetInfo]) -> list[str]:
    """Datasets a record lookup searches: those named by `datasets`, else all."""
    requested = _identifiers(params, "datasets")
    for dataset_id in sorted(requested or ()):
        if dataset_id not in datasets:
            raise ParameterError("datasets", f"unknown dataset {dataset_id!r}")
    return sorted(requested) if requested else list(datasets)


# Options of /variant_regions (its lookups take no sample filters: see its handler).
REGION_OPTIONS: Final = frozenset({"min_overlap", "order"})
SAMPLE_FILTER_PARAMETERS: Final = ATTRIBUTE_PARAMETERS | {"biosample_id"}


def parse_min_overlap(params: Mapping[str, str], default: float) -> float:
    """`min_overlap`: the reciprocal overlap joining a call to a variant region, in (0, 1]."""
    value = _number(params, "min_overlap")
    if value is None:
        return default
    if not 0 < value <= 1:
        raise ParameterError("min_overlap", f"must be above 0 and at most 1, got {value:g}")
    return value


def parse_region_order(params: Mapping[str, str]) -> RegionOrder:
    text = params.get("order") or RegionOrder.POSITION.value
    try:
        return RegionOrder(text)
    except ValueError:
        raise ParameterError("order", f"must be one of {[o.value for o in RegionOrder]}") from None
