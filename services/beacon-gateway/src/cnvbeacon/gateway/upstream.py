"""Calls from the gateway to our own services over HTTP, with timeouts.

Two kinds of call, on two sessions (so that long streams never hold up the JSON calls'
connections):

* JSON calls (:meth:`ServiceClient.get_json`) have a total limit (``CNVB_UPSTREAM_TIMEOUT_S``):
  a service that does not answer in time is a 504, one that cannot be reached a 503;
* streams (:meth:`ServiceClient.stream`, exports and other pass-throughs) have no total
  limit, only an idle one (``CNVB_UPSTREAM_STREAM_IDLE_S``): they fail when the service
  sends nothing for that long. A failure before the first part of the body arrived is an
  :class:`UpstreamError` like a JSON call's; one after it is :class:`BrokenStreamError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from cnvbeacon.shared import logs

Params = Mapping[str, str]
STREAM_CHUNK = 64 * 1024  # the most read from a stream at a time


class UpstreamError(Exception):
    """A service answered with an error (status < 500 errors carry the service's message),
    did not answer in time (504) or could not be reached (503)."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


class BrokenStreamError(Exception):
    """A streamed answer broke off after it had begun: the service dropped the connection,
    sent a malformed body or sent nothing for the idle limit."""


def _headers() -> dict[str, str] | None:
    # The caller's request id travels on, so one request can be followed in every log.
    request_id = logs.request_id.get()
    return {"X-Request-ID": request_id} if request_id else None


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "the time allowed"


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


def call_failed(
    name: str, error: BaseException, waited_s: float | None, connect_s: float | None = None
) -> UpstreamError:
    """The error of a call that got no answer: a 504 when the service did not answer within
    ``waited_s``, a 503 when it could not be reached (refused, no connection within
    ``connect_s``, dropped)."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return UpstreamError(
            503, f"the {name} service is unavailable: no connection within {_seconds(connect_s)}"
        )
    if isinstance(error, TimeoutError):
        return UpstreamError(504, f"the {name} service did not answer within {_seconds(waited_s)}")
    return UpstreamError(
        503, f"the {name} service is unavailable: {type(error).__name__} {error}".rstrip()
    )


def _connect_limit(session: aiohttp.ClientSession) -> float | None:
    return session.timeout.connect or session.timeout.sock_connect


class UpstreamStream:
    """An open successful answer of a service, read part by part (at most
    :data:`STREAM_CHUNK` bytes at a time, each as soon as it arrives)."""

    def __init__(
        self, response: aiohttp.ClientResponse, first: bytes, name: str, idle_s: float | None
    ) -> None:
        self._response = response
        self._first: bytes | None = first
        self._name = name
        self._idle_s = idle_s

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._response.headers

    async def read(self) -> bytes:
        """The next part of the body, ``b""`` at its end.

        Raises :class:`BrokenStreamError` when the service drops the connection before the end,
        sends a malformed body, or sends nothing for the idle limit.
        """
        if self._first is not None:
            first, self._first = self._first, None
            return first
        try:
            return await self._response.content.read(STREAM_CHUNK)
        except TimeoutError as error:
            raise BrokenStreamError(
                f"the {self._name} service sent nothing for {_seconds(self._idle_s)}"
            ) from error
        except (aiohttp.ClientError, OSError) as error:
            raise BrokenStreamError(
                f"the {self._name} service's answer broke off: {type(error).__name__} {error}"
            ) from error


class ServiceClient:
    """One of our services: JSON calls on ``session`` (its timeout is the total limit of a
    call), streams on ``streams`` (no total limit; its ``sock_read`` is the idle limit)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        streams: aiohttp.ClientSession,
        base_url: str,
        name: str,
    ) -> None:
        self._session = session
        self._streams = streams
        self._base_url = base_url.rstrip("/")
        self._name = name

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        try:
            async with self._session.get(
                f"{self._base_url}{path}", params=params, headers=_headers()
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise call_failed(
                self._name, error, self._session.timeout.total, _connect_limit(self._session)
            ) from error
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
        self, path: str, params: Params | None = None, *, answer_within: float | None = None
    ) -> AsyncIterator[UpstreamStream]:
        """An open successful answer whose first part has arrived, to be read part by part.

        ``answer_within``: the service must send its headers and the first part of its body
        within this long (a 504 otherwise), as for a JSON call; ``None`` (exports): only the
        idle limit applies. Nothing limits the whole stream. Errors before the first part
        are :class:`UpstreamError` (the caller has sent nothing yet).
        """
        idle_s = self._streams.timeout.sock_read
        async with contextlib.AsyncExitStack() as stack:
            try:
                async with asyncio.timeout(answer_within):
                    response = await stack.enter_async_context(
                        self._streams.get(
                            f"{self._base_url}{path}", params=params, headers=_headers()
                        )
                    )
                    if response.status >= 400:
                        body = await response.read()
                        raise upstream_error(self._name, response.status, body, response.reason)
                    first = await response.content.read(STREAM_CHUNK)
            except (aiohttp.ClientError, TimeoutError) as error:
                waited = idle_s if isinstance(error, aiohttp.SocketTimeoutError) else answer_within
                raise call_failed(
                    self._name, error, waited, _connect_limit(self._streams)
                ) from error
            yield UpstreamStream(response, first, self._name, idle_s)
