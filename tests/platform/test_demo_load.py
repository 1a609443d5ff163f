"""`make up`'s demo loading against a real ingest service: the first run loads the sample
table and HG00096 through the queue; a second run (a restart) finds them and loads
nothing."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cnvbeacon.ingest.app import create_app
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import CALLS, INDIVIDUALS, JOBS
from tests.conftest import Backends
from tests.ingest.test_ingest_integration import TOKEN, ingest_settings
from tests.support.services import serve

pytestmark = pytest.mark.integration
LOCAL = Path(__file__).resolve().parents[2] / "deploy" / "local"


def stack_module() -> ModuleType:
    if str(LOCAL) not in sys.path:
        sys.path.insert(0, str(LOCAL))
    return importlib.import_module("stack")


async def load_demo(url: str) -> str:
    stack = stack_module()
    out = io.StringIO()

    def run() -> None:
        with contextlib.redirect_stdout(out):
            stack._load_demo(url, TOKEN)

    await asyncio.to_thread(run)
    return out.getvalue()


async def test_the_demo_is_loaded_once(backends_env: Backends, database: Database) -> None:
    dataset = stack_module().DEMO_DATASET
    async with serve(create_app(ingest_settings(backends_env))) as url:
        first = await load_demo(url)
        assert "ingested: 591 calls" in first
        second = await load_demo(url)
    assert second.strip() == "the demo data are loaded already"
    assert await database[JOBS].count_documents({}) == 1
    assert await database[CALLS].count_documents({"dataset_id": dataset}) == 591
    assert await database[INDIVIDUALS].count_documents({"dataset_id": dataset}) == 3202
