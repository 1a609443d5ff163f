"""Stored length-class maxima against the real store: they only ever grow."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient, monitoring

from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import LENGTH_CLASS_MAX
from tests.conftest import Backends

pytestmark = pytest.mark.integration


async def test_maxima_grow_and_never_shrink(database: Database) -> None:
    await length_classes.raise_maxima(database, "d", {("1", 3): 5000, ("2", 4): 20000})
    await length_classes.raise_maxima(database, "d", {("1", 3): 4000, ("1", 5): 300000})
    await length_classes.raise_maxima(database, "d", {("1", 3): 9999})
    await length_classes.raise_maxima(database, "other", {("1", 3): 1000})
    assert await length_classes.maxima_for(database, ["d", "other"], "1") == {
        "d": {3: 9999, 5: 300000},
        "other": {3: 1000},
    }
    assert await length_classes.maxima_for(database, ["d"], "2") == {"d": {4: 20000}}


class _MaximaCommands(monitoring.CommandListener):
    """The commands sent to the maxima collection, by name."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command.get(event.command_name) == LENGTH_CLASS_MAX:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_known_maxima_skip_what_is_stored_and_still_raise_what_grows(
    backends_env: Backends,
) -> None:
    commands = _MaximaCommands()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        backends_env.mongodb_url, event_listeners=[commands]
    )
    database = client[backends_env.database]
    try:
        known = length_classes.KnownMaxima()
        await length_classes.raise_maxima(database, "d", {("1", 3): 5000}, known)
        assert commands.names == ["find", "update"]
        # Stored by another worker; this writer's batch within what it knows asks nothing.
        await database[LENGTH_CLASS_MAX].update_one(
            {"_id": "d|1|3"}, {"$set": {"max_length": 7000}}
        )
        commands.names.clear()
        await length_classes.raise_maxima(database, "d", {("1", 3): 4000}, known)
        assert commands.names == []
        # A longer call than the writer knows of is read and written, never lowering the
        # stored value.
        await length_classes.raise_maxima(database, "d", {("1", 3): 6000, ("1", 4): 20000}, known)
        assert commands.names == ["find", "update"]
        assert await length_classes.maxima_for(database, ["d"], "1") == {"d": {3: 7000, 4: 20000}}
        # ...and the writer learnt both the stored value and its own.
        commands.names.clear()
        await length_classes.raise_maxima(database, "d", {("1", 3): 7000, ("1", 4): 20000}, known)
        assert commands.names == []
        assert not known.covers({"d|1|3": 7001})
        assert not known.covers({"d|2|3": 1})
    finally:
        await client.close()
