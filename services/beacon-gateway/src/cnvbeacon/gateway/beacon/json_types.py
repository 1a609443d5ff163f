"""The JSON shape every builder returns: a plain dict ready for ``json.dumps``."""

from __future__ import annotations

from typing import Any, TypeAlias

JsonObject: TypeAlias = dict[str, Any]
