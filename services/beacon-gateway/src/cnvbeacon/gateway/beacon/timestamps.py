"""Timestamps as Beacon documents carry them: ISO 8601 / RFC 3339 with an explicit offset."""

from __future__ import annotations

from datetime import UTC, datetime


def format_timestamp(moment: datetime) -> str:
    """``2024-05-01T12:00:00Z``; a naive ``datetime`` is taken to be UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    text = aware.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
