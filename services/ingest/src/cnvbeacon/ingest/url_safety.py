"""URL jobs that cannot be turned against us: only the allowed schemes; hosts that resolve
to loopback, private, link-local, multicast, reserved or unspecified addresses are refused
(unless listed in url_allowed_hosts), when connecting (a resolver checks every address a
name resolves to, so a redirect or a changed DNS answer is checked too) and for addresses
written in the URL; redirects are followed one by one, each checked, at most
url_max_redirects; credentials and signatures are never shown."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Collection
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

SCHEMES: Final = frozenset({"http", "https"})
# Query parameters that carry credentials (pre-signed URLs of S3, GCS, Azure; tokens).
_SECRET_PARAMETER: Final = re.compile(
    r"(?i)^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|"
    r"signature|sig|token|access_token|api_key|apikey|key|password|secret)$"
)
REDACTED: Final = "REDACTED"


class UnsafeUrlError(ValueError):
    """The URL may not be fetched (a permanent problem with the job)."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, allowed_hosts: Collection[str]) -> None:
    """Refuse a URL of another scheme, or naming a non-public address (not allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise UnsafeUrlError(f"{redact(url)}: only {', '.join(sorted(SCHEMES))} URLs are fetched")
    host = parts.hostname or ""
    if not host:
        raise UnsafeUrlError(f"{redact(url)}: the URL names no host")
    if host in allowed_hosts:
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked by CheckedResolver when connecting
    if not is_public_address(host):
        raise UnsafeUrlError(_refusal(redact(url), host))


def _refusal(where: str, address: str) -> str:
    return (
        f"{where}: {address} is not a public address; fetching it is refused (list the host "
        "in CNVB_URL_ALLOWED_HOSTS to allow it)"
    )


class CheckedResolver(AbstractResolver):
    """Resolves names as aiohttp does, refusing names with a non-public address."""

    def __init__(self, allowed_hosts: Collection[str]) -> None:
        self._resolver = DefaultResolver()
        self._allowed = frozenset(allowed_hosts)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if host not in self._allowed:
            for result in found:
                if not is_public_address(result["host"]):
                    raise UnsafeUrlError(_refusal(host, result["host"]))
        return found

    async def close(self) -> None:
        await self._resolver.close()


def redact(url: str) -> str:
    """The URL without user, password and credential-bearing query parameters."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username or parts.password:
        netloc = f"{REDACTED}@{netloc}"
    query = urlencode(
        [
            (name, REDACTED if _SECRET_PARAMETER.match(name) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def shown_source(source: str) -> str:
    """A job's source as views, events, errors and logs show it."""
    return redact(source) if source.startswith(("http://", "https://")) else source
