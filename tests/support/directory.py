"""Putting the organisation a test needs into the members service through its own API."""

from __future__ import annotations

import httpx

from shared.auth import Role
from tests.support.tokens import TestKeys

JIXI_COMMITTEE = "cppcc-230300"


async def add_jixi_committee(client: httpx.AsyncClient, keys: TestKeys) -> str:
    """Jixi's city committee (鸡西市政协), added by the provincial office; returns its code."""
    response = await client.post(
        "/v1/committees",
        json={"code": JIXI_COMMITTEE, "name": "政协鸡西市委员会", "region_code": "230300"},
        headers=keys.headers(Role.PROVINCE_ADMIN, "230000"),
    )
    assert response.status_code == 201, response.text
    return JIXI_COMMITTEE
