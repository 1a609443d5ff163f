"""Opening and checking the MongoDB connection (PyMongo's async API)."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from cnvbeacon.shared.settings import ServiceSettings

Document = dict[str, Any]
MongoClient = AsyncMongoClient[Document]
Database = AsyncDatabase[Document]


def open_client(settings: ServiceSettings) -> MongoClient:
    """A client that fails fast when the server is unreachable, so readiness checks stay quick."""
    return AsyncMongoClient(
        settings.mongodb_url,
        serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        connectTimeoutMS=settings.mongodb_timeout_ms,
        tz_aware=True,
        appname="cnvbeacon",
        retryWrites=settings.mongodb_retry_writes,
        maxIdleTimeMS=settings.mongodb_max_idle_ms,
    )


async def ping(client: MongoClient, timeout_s: float) -> None:
    """Raise if the server does not answer a ping within the timeout."""
    async with asyncio.timeout(timeout_s):
        await client.admin.command("ping")
