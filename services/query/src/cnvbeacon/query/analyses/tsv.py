"""Tab-separated downloads."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from aiohttp import web


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(cell(v) for v in value)
    return str(value).replace("\t", " ").replace("\n", " ")


def tsv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["\t".join(columns)]
    lines.extend("\t".join(cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def tsv_response(text: str, filename: str, *, download: bool) -> web.Response:
    response = web.Response(text=text, content_type="text/tab-separated-values")
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
