"""Calls from the gateway to our own services over HTTP, with timeouts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from cnvbeacon.shared import logs


class UpstreamError(Exception):
    """A service answered with an error (status < 500 errors carry the service's message)."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


class ServiceClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, name: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._name = name

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        try:
            # The caller's request id travels on, so one request can be followed in every log.
            request_id = logs.request_id.get()
            headers = {"X-Request-ID": request_id} if request_id else None
            async with self._session.get(
                f"{self._base_url}{path}", params=params, headers=headers
            ) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamError(
                503, f"the {self._name} service is unavailable: {type(error).__name__} {error}"
            ) from error
        if response.status >= 400:
            detail = body.get("error", {}) if isinstance(body, dict) else {}
            status = response.status if response.status < 500 else 502
            raise UpstreamError(
                status,
                str(detail.get("message") or f"{self._name} failed"),
                detail.get("parameter"),
            )
        return body
