"""The demo's way into the platform: the four services' HTTP APIs with dev tokens.

Every call goes through one bounded pool of concurrent requests. A call is retried when the
service is momentarily unable (5xx, 429, connection reset); a caller may also ask to retry
while a service has not yet heard of something over Kafka (`until_known`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.devtokens import issue_token
from shared.auth import Role

RETRIABLE = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Urls:
    members: str = "http://127.0.0.1:8001"
    visits: str = "http://127.0.0.1:8002"
    notifications: str = "http://127.0.0.1:8003"
    reporting: str = "http://127.0.0.1:8004"

    @classmethod
    def parse(cls, text: str) -> Urls:
        """`members=http://…,visits=http://…` (any subset; the rest keep make run's ports)."""
        pairs = dict(part.split("=", 1) for part in text.split(",") if part)
        return cls(**pairs)


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
        self.status_code = response.status_code


@dataclass
class Tokens:
    """Dev tokens per role, minted on demand (the services check them like any other)."""

    key: ec.EllipticCurvePrivateKey
    _cache: dict[tuple[str, ...], str] = field(default_factory=dict)

    def get(
        self, role: Role, region: str, *, subject: str | None = None, member: UUID | None = None
    ) -> str:
        k = (role.value, region, subject or "", str(member or ""))
        if k not in self._cache:
            self._cache[k] = issue_token(
                self.key, role=role, region=region, subject=subject, member_id=member
            )
        return self._cache[k]

    def member(self, member_id: UUID, region: str) -> str:
        return self.get(Role.MEMBER, region, subject=f"member-{member_id}", member=member_id)


class Api:
    def __init__(self, urls: Urls, *, concurrency: int = 24, timeout: float = 60) -> None:
        self.urls = urls
        self._gate = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(timeout=timeout)
        self.calls = 0

    async def close(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        url: str,
        token: str,
        *,
        json: Any = None,
        files: Any = None,
        params: Any = None,
        key: str | None = None,
        accept: tuple[int, ...] = (200, 201, 202, 204),
        until_known: Callable[[httpx.Response], bool] | None = None,
        patience: float = 120,
    ) -> httpx.Response:
        """One request; `until_known(response)` true means "not yet heard of": wait and retry."""
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        waited, attempt = 0.0, 0
        while True:
            attempt += 1
            try:
                async with self._gate:
                    self.calls += 1
                    response = await self._client.request(
                        method, url, headers=headers, json=json, files=files, params=params
                    )
            except httpx.TransportError:
                if attempt >= 6:
                    raise
                response = None
            if response is not None and response.status_code in accept:
                return response
            retry = response is None or response.status_code in RETRIABLE
            if response is not None and until_known is not None and until_known(response):
                retry = True
            if not retry or waited > patience:
                assert response is not None
                raise ApiError(response)
            pause = min(0.2 * attempt, 2.0)
            waited += pause
            await asyncio.sleep(pause)

    async def poll(
        self,
        fetch: Callable[[], Any],
        done: Callable[[Any], bool],
        *,
        what: str,
        timeout: float = 180,
    ) -> Any:
        """Ask again until `done`; the services update their views from Kafka, not at once."""
        waited = 0.0
        while True:
            value = await fetch()
            if done(value):
                return value
            if waited > timeout:
                raise TimeoutError(f"gave up waiting for {what}")
            await asyncio.sleep(0.5)
            waited += 0.5
