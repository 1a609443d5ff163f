"""The web UI at ``/``: a single page app of static files, built on our public ``/api`` only.

Every page path (:data:`PAGES`) answers the same ``index.html``; the app
(``static/js/app.js``) reads the path and query string and draws the page from the public
endpoints, so any page can be bookmarked or shared. Assets are under ``/static/``, all
local (no CDN), revalidated on every load (``no-cache`` with ``Last-Modified``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aiohttp import web

STATIC: Final = Path(__file__).resolve().parent / "static"
INDEX: Final = STATIC / "index.html"
PAGES: Final = (
    "/",
    "/variants/{id}",
    "/samples/{id}",
    "/individuals/{id}",
    "/analyses",
    "/datasets",
    "/upload",
)
# Scripts, styles, images and requests from this origin only; no inline code, no frames.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_HEADERS: Final = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}


def _file(path: Path) -> web.FileResponse:
    headers = {**_HEADERS, "Content-Type": _CONTENT_TYPES[path.suffix]}
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return web.FileResponse(path, headers=headers)


async def page(request: web.Request) -> web.FileResponse:
    return _file(INDEX)


def static_file(relative: str) -> Path | None:
    """The file under :data:`STATIC` that ``relative`` names, if it is one we serve."""
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    return path if path.suffix in _CONTENT_TYPES else None


async def asset(request: web.Request) -> web.FileResponse:
    path = static_file(request.match_info["path"])
    if path is None:
        raise web.HTTPNotFound(text=f"no such file: {request.path}")
    return _file(path)


async def favicon(request: web.Request) -> web.FileResponse:
    return _file(STATIC / "favicon.svg")


def add_routes(app: web.Application) -> None:
    for path in PAGES:
        app.router.add_get(path, page)
    app.router.add_get("/static/{path:.+}", asset)
    app.router.add_get("/favicon.ico", favicon)
