"""CORS for the public API: browser-based Beacon clients and network UIs of other origins
may read it (Beacon queries, GET and POST, and our read-only /api endpoints), without
credentials. Admin endpoints (/api/ingest) and the web UI are same-origin only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from cnvbeacon.gateway import keys

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ALLOWED_METHODS: Final = "GET, HEAD, POST, OPTIONS"
ALLOWED_HEADERS: Final = "Content-Type, Accept"
PREFLIGHT_MAX_AGE_S: Final = 86_400
_PRIVATE_PREFIXES: Final = ("/api/ingest",)


def is_public(path: str) -> bool:
    return (path == "/api" or path.startswith("/api/")) and not path.startswith(_PRIVATE_PREFIXES)


def allowed_origin(origin: str | None, allowed: list[str]) -> str | None:
    """The Access-Control-Allow-Origin value for this request's Origin (None: none)."""
    if not origin:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


@web.middleware
async def preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer a CORS preflight of a public path (OPTIONS is routed nowhere else)."""
    if (
        request.method != "OPTIONS"
        or "Access-Control-Request-Method" not in request.headers
        or not is_public(request.path)
    ):
        return await handler(request)
    response = web.Response(status=204)
    if _origin(request) is not None:
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
    return response


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every answer of a public path, streamed ones included, names
    the origins that may read it."""
    if not is_public(request.path):
        return
    origin = _origin(request)
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if origin != "*":
        response.headers.add("Vary", "Origin")


def _origin(request: web.Request) -> str | None:
    return allowed_origin(request.headers.get("Origin"), request.app[keys.SETTINGS].cors_origins)


def add_cors(app: web.Application) -> None:
    """Install CORS on an app (its middleware must be given to the app factory first)."""
    app.on_response_prepare.append(add_cors_headers)
