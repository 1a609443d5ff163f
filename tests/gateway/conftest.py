"""A loaded stack shared by the tests of one module (loading HG00096 takes seconds)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.gateway.stacks import ONE_KGP, Stack, running_stack

CONTROLLED = "controlled"  # HG00096 again, without individuals, answering counts only


@pytest_asyncio.fixture(scope="module")
async def stack(mongodb_url: str, amqp_url: str) -> AsyncIterator[Stack]:
    async with running_stack(
        mongodb_url,
        amqp_url,
        {ONE_KGP: True, CONTROLLED: False},
        dataset_granularity={CONTROLLED: "count"},
    ) as running:
        yield running
