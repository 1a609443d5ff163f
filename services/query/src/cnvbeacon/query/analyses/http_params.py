"""Query parameters of the /analyses endpoints. Bad values answer 400 naming the parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web
from multidict import MultiMapping

from cnvbeacon.query.analyses.cohort import Subset
from cnvbeacon.query.analyses.genome import ANALYSED_CHROMOSOMES
from cnvbeacon.query.analyses.pipeline import Parameters
from cnvbeacon.query.analyses.variants import Variant

_TRUE: Final = {"1", "true", "yes", "on"}
_FALSE: Final = {"0", "false", "no", "off", ""}
FORMATS: Final = ("json", "tsv")


def bad(parameter: str, message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=f"{parameter}: {message}")


def text_list(query: MultiMapping[str], name: str) -> list[str]:
    return [v.strip() for value in query.getall(name, []) for v in value.split(",") if v.strip()]


def flag(query: MultiMapping[str], name: str, default: bool = False) -> bool:
    value = query.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise bad(name, f"expected true or false, got {value!r}")


def integer(
    query: MultiMapping[str], name: str, default: int, low: int, high: int | None = None
) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad(name, f"expected an integer, got {value!r}") from None
    if number < low or (high is not None and number > high):
        upper = f" and at most {high:,}" if high is not None else ""
        raise bad(name, f"must be at least {low:,}{upper}")
    return number


def number(query: MultiMapping[str], name: str, default: float) -> float:
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise bad(name, f"expected a number, got {value!r}") from None


def chromosome(query: MultiMapping[str], name: str = "chrom") -> str | None:
    value = query.get(name)
    if not value:
        return None
    chrom = value.removeprefix("chr").removeprefix("CHR").upper()
    if chrom not in ANALYSED_CHROMOSOMES:
        raise bad(name, f"expected 1-22, X or Y, got {value!r}")
    return chrom


def variant(query: MultiMapping[str]) -> Variant:
    """Subset (population, superpopulation, sex, pass_only) and parameters (bin_size,
    min_overlap) of the analysis a request reads."""
    sex = query.get("sex") or None
    if sex is not None and sex not in ("female", "male"):
        raise bad("sex", f"expected female or male, got {sex!r}")
    defaults = Parameters()
    try:
        parameters = Parameters(
            bin_size=integer(query, "bin_size", defaults.bin_size, 1),
            min_overlap=number(query, "min_overlap", defaults.min_overlap),
        )
    except ValueError as error:
        raise bad("bin_size/min_overlap", str(error)) from None
    subset = Subset(
        populations=frozenset(text_list(query, "population")),
        superpopulations=frozenset(text_list(query, "superpopulation")),
        sex=sex,
        pass_only=flag(query, "pass_only"),
    )
    return Variant(subset, parameters)


@dataclass(frozen=True, slots=True)
class Output:
    format: str
    download: bool


def output(query: MultiMapping[str]) -> Output:
    value = (query.get("format") or "json").lower()
    if value not in FORMATS:
        raise bad("format", f"expected json or tsv, got {value!r}")
    return Output(value, flag(query, "download", default=value == "tsv"))


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


def page(query: MultiMapping[str], default: int, maximum: int) -> Page:
    return Page(integer(query, "limit", default, 1, maximum), integer(query, "offset", 0, 0))
