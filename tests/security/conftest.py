"""One world for the whole security suite: four real services, two cities' data, real Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from deploy.local.stack import StackInfo
from tests.security.world import World, running_world
from tests.support.platform import fresh_platform
from tests.support.tokens import TestKeys


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def world(
    stack: StackInfo, keys: TestKeys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    async with (
        fresh_platform(stack, keys) as platform,
        running_world(platform, tmp_path_factory.mktemp("service-logs")) as w,
    ):
        yield w
