"""Calls from the gateway to our own services over HTTP, with timeouts."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp

from cnvbeacon.shared import logs

Params = Mapping[str, str]


class UpstreamError(Exception):
    """A service answered with an error (status < 500 errors carry the service's message)."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def _headers() -> dict[str, str] | None:
    # The caller's request id travels on, so one request can be followed in every log.
    request_id = logs.request_id.get()
    return {"X-Request-ID": request_id} if request_id else None


def upstream_error(name: str, status: int, body: bytes, reason: str | None) -> UpstreamError:
    """The error a failed answer of one of our services stands for (``{"error": {...}}``)."""
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        document = {}
    detail = document.get("error", {}) if isinstance(document, dict) else {}
    detail = detail if isinstance(detail, dict) else {}
    message = str(detail.get("message") or reason or f"{name} failed")
    return UpstreamError(status if status < 500 else 502, message, detail.get("parameter"))


class ServiceClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, name: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._name = name

    def _unavailable(self, error: BaseException) -> UpstreamError:
        return UpstreamError(
            503, f"the {self._name} service is unavailable: {type(error).__name__} {error}"
        )

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        try:
            async with self._session.get(
                f"{self._base_url}{path}", params=params, headers=_headers()
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise self._unavailable(error) from error
        if response.status >= 400:
            raise upstream_error(self._name, response.status, body, response.reason)
        try:
            return json.loads(body)
        except ValueError as error:
            raise UpstreamError(502, f"the {self._name} service answered no JSON") from error

    async def get_json_or_none(self, path: str, params: Params | None = None) -> Any:
        """Like :meth:`get_json`, but ``None`` when the service answers 404."""
        try:
            return await self.get_json(path, params)
        except UpstreamError as error:
            if error.status == 404:
                return None
            raise

    @contextlib.asynccontextmanager
    async def stream(
        self, path: str, params: Params | None = None
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """An open successful response, to be read chunk by chunk (no total time limit:
        exports may take minutes; a stalled socket still fails)."""
        timeout = aiohttp.ClientTimeout(total=None, sock_read=self._session.timeout.total)
        try:
            async with self._session.get(
                f"{self._base_url}{path}", params=params, headers=_headers(), timeout=timeout
            ) as response:
                if response.status >= 400:
                    body = await response.read()
                    raise upstream_error(self._name, response.status, body, response.reason)
                yield response
        except (aiohttp.ClientError, TimeoutError) as error:
            raise self._unavailable(error) from error
