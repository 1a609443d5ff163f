"""Parsing lookup parameters into a CallLookup; every problem names its parameter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cnvbeacon.query.calls import CallFilters, CallLookup
from cnvbeacon.query.windows import Match, Window
from cnvbeacon.shared.reference.assemblies import normalise_assembly
from cnvbeacon.shared.reference.chromosomes import chromosome_length, normalise_chromosome
from cnvbeacon.shared.reference.cytobands import cytoband_region
from cnvbeacon.shared.reference.genes import gene_loci
from cnvbeacon.shared.vocabulary import expand_variant_types

MAX_COORDINATE = 10**10
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_REGION = re.compile(r"^(?P<chrom>[^:\s]+):(?P<start>[\d,]+)-(?P<end>[\d,]+)$")
_SEXES = {"female", "male", "unknown"}

KNOWN_PARAMETERS = frozenset(
    {
        "datasets",
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
        "variant_type",
        "min_length",
        "max_length",
        "min_copy_number",
        "max_copy_number",
        "pass_only",
        "biosample_id",
        "sex",
        "population",
        "superpopulation",
        "skip",
        "limit",
        "format",
        "group",
    }
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


def parse_lookup(
    params: Mapping[str, str], *, datasets: tuple[str, ...], default_assembly: str
) -> tuple[CallLookup, Region]:
    unknown = sorted(set(params) - KNOWN_PARAMETERS)
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter")
    requested = _identifiers(params, "datasets")
    dataset_ids = tuple(sorted(requested)) if requested else datasets
    assembly = parse_assembly(params, default_assembly)
    region = parse_region(params, assembly)
    window = parse_match(params, region)
    return CallLookup(dataset_ids, region.chrom, window, parse_filters(params)), region


def parse_page(params: Mapping[str, str], default_limit: int, max_limit: int) -> tuple[int, int]:
    skip = _integer(params, "skip", maximum=10**9) or 0
    limit = _integer(params, "limit", maximum=max_limit)
    return skip, default_limit if limit is None else limit
