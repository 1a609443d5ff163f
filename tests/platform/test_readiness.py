"""/readyz follows the backends: unhealthy within seconds when one goes away, healthy again
when it returns, without restarting the service."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiohttp import ClientSession

from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.settings import IngestSettings
from tests.conftest import Backends
from tests.support.services import serve, wait_for
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


def through(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


async def test_readiness_follows_store_and_broker(backends_env: Backends) -> None:
    mongo, amqp = urlsplit(backends_env.mongodb_url), urlsplit(backends_env.amqp_url)
    mongo_proxy = TcpProxy(mongo.hostname or "127.0.0.1", mongo.port or 27017)
    amqp_proxy = TcpProxy(amqp.hostname or "127.0.0.1", amqp.port or 5672)
    await mongo_proxy.start()
    await amqp_proxy.start()
    settings = IngestSettings.model_validate(
        {
            "mongodb_url": through(backends_env.mongodb_url, mongo_proxy),
            "mongodb_database": backends_env.database,
            "mongodb_timeout_ms": 1000,
            "amqp_url": through(backends_env.amqp_url, amqp_proxy),
            "amqp_namespace": backends_env.namespace,
            "readiness_timeout_s": 1.5,
            "log_json": False,
            "admin_token": "secret",
        }
    )
    async with serve(create_app(settings)) as url, ClientSession() as session:

        async def status() -> tuple[int, dict[str, str]]:
            async with session.get(f"{url}/readyz") as response:
                return response.status, (await response.json())["checks"]

        async def becomes(expected: int) -> bool:
            return (await status())[0] == expected

        assert (await status())[0] == 200
        async with session.get(f"{url}/healthz") as response:
            assert response.status == 200

        for proxy, check in ((mongo_proxy, "mongodb"), (amqp_proxy, "rabbitmq")):
            await proxy.cut()
            started = time.monotonic()
            await wait_for(lambda: becomes(503), timeout=10, what=f"{check} down")
            assert time.monotonic() - started < 10
            code, checks = await status()
            assert code == 503
            assert checks[check] != "ok"
            if check == "mongodb":  # a write meeting the outage: 503 with a message, no 500
                async with session.post(
                    f"{url}/individuals",
                    params={"dataset": "ds"},
                    data=b"sample\tsex\nHG00096\tmale\n",
                    headers={"Authorization": "Bearer secret"},
                ) as response:
                    assert response.status == 503
                    assert "store is unavailable" in (await response.json())["error"]["message"]
            # Liveness is not readiness: the process itself is fine.
            async with session.get(f"{url}/healthz") as response:
                assert response.status == 200
            await proxy.start()
            await wait_for(lambda: becomes(200), timeout=30, what=f"{check} back")
    await mongo_proxy.cut()
    await amqp_proxy.cut()
