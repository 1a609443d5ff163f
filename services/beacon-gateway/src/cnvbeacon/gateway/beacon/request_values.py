"""Converters from received values (query-string text or JSON) to validated Python values.

Each raises a 400 :class:`BeaconRequestError` naming the parameter when the value is unfit.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from cnvbeacon.gateway.beacon.errors import bad_request

INT64_MAX = 2**63 - 1
Choice = TypeVar("Choice", bound=StrEnum)
_DIGITS = re.compile(r"^\d+$")


def to_integer(value: object, parameter: str, minimum: int = 0) -> int:
    """An integer in [minimum, 2^63 - 1], from a JSON integer or a string of digits."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.match(value.strip()):
        number = int(value.strip())
    if number is None or number < minimum or number > INT64_MAX:
        bound = "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}"
        raise bad_request(f"{parameter} must be {bound}, got {value!r}", parameter)
    return number


def to_text_items(value: object, parameter: str) -> list[object]:
    """The items of a list parameter: a JSON array, or comma-separated text."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return [item.strip() for item in value.split(",")]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    raise bad_request(f"{parameter} must be a list, got {value!r}", parameter)


def to_integer_list(value: object, parameter: str, minimum: int = 0) -> tuple[int, ...]:
    """One or two integers (Beacon positions): ``[100]``, ``"100,200"`` ..."""
    items = to_text_items(value, parameter)
    if not 1 <= len(items) <= 2:
        raise bad_request(f"{parameter} takes one or two numbers, got {len(items)}", parameter)
    return tuple(to_integer(item, parameter, minimum) for item in items)


def to_string_list(value: object, parameter: str) -> tuple[str, ...]:
    """Non-empty strings from a JSON array of strings or comma-separated text."""
    items = to_text_items(value, parameter)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise bad_request(f"{parameter} must be a list of non-empty strings", parameter)
    return tuple(str(item).strip() for item in items)


def to_text(value: object, parameter: str) -> str:
    """A non-empty string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{parameter} must be a non-empty string, got {value!r}", parameter)
    return value.strip()


def to_boolean(value: object, parameter: str) -> bool:
    """A JSON boolean, or the text ``true``/``false`` (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad_request(f"{parameter} must be true or false, got {value!r}", parameter)


def to_choice(value: object, choices: type[Choice], parameter: str) -> Choice:
    """A member of ``choices``, matched by value ignoring case."""
    if isinstance(value, str):
        for member in choices:
            if member.value.lower() == value.strip().lower():
                return member
    allowed = ", ".join(member.value for member in choices)
    raise bad_request(f"{parameter} must be one of {allowed}, got {value!r}", parameter)
