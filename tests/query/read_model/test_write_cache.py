"""Cached answers about some datasets last until a write changes one of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cnvbeacon.query.read_model import WriteCache
from cnvbeacon.query.read_model.database import ReadModelDatabase


@pytest.fixture
def database(tmp_path: Path) -> Iterator[ReadModelDatabase]:
    db = ReadModelDatabase(tmp_path, source="test", memory_limit="64MB", threads=1, readers=1)
    db.open()
    yield db
    db.close()


def _kept(cache: WriteCache, datasets: list[str]) -> WriteCache:
    cache.keep(("answer", *datasets), datasets, cache.versions(datasets), "value")
    return cache


async def test_a_write_of_other_datasets_keeps_the_answer(database: ReadModelDatabase) -> None:
    cache = _kept(WriteCache(database, 10), ["a"])
    await database.write(lambda c: None, ["b"])
    assert cache.get(("answer", "a"), ["a"]) == "value"


@pytest.mark.parametrize("written", [["a"], ["a", "b"], None])
async def test_a_write_of_its_datasets_drops_the_answer(
    database: ReadModelDatabase, written: list[str] | None
) -> None:
    cache = _kept(WriteCache(database, 10), ["a", "c"])
    await database.write(lambda c: None, written)
    assert cache.get(("answer", "a", "c"), ["a", "c"]) is None


async def test_an_answer_read_across_a_write_is_not_kept(database: ReadModelDatabase) -> None:
    cache = WriteCache(database, 10)
    versions = cache.versions(["a"])
    await database.write(lambda c: None, ["a"])  # while the answer was being read
    cache.keep(("answer",), ["a"], versions, "old")
    assert cache.get(("answer",), ["a"]) is None


def test_the_least_recently_used_answer_goes_first(database: ReadModelDatabase) -> None:
    cache = WriteCache(database, 2)
    for name in ("x", "y"):
        _kept(cache, [name])
    assert cache.get(("answer", "x"), ["x"]) == "value"  # x used last: y goes
    _kept(cache, ["z"])
    assert cache.get(("answer", "y"), ["y"]) is None
    assert cache.get(("answer", "x"), ["x"]) == "value"
