"""Oversized, deeply nested, huge-array, many-key and invalid-UTF-8 bodies: each service answers
413/422/400 problem+json, keeps serving, and its resident memory stays bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.auth import Role
from tests.security.world import JIXI, World

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

MiB = 1024 * 1024
LIMIT = MiB  # MAX_BODY_BYTES, the default
# What memory a service may grow by over the whole barrage: the body limit (1 MiB) buffered
# by a few requests in flight, parsing, and allocator slack; unbounded buffering would be 100s.
MAX_GROWTH = 64 * MiB


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def _oversized(
    base_url: str, method: str, path: str, headers: dict[str, str], *, chunked: bool
) -> tuple[int, str]:
    """Past the limit over a raw socket, the way a client that does not wait would send it.

    Declared: a Content-Length of 100 MiB and no body at all (the header alone is refused).
    Chunked: no length, chunks until just past the limit."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {100 * MiB}")
    received = bytearray()

    async def read() -> None:
        # Read while sending: the 413 arrives before the close, which may be a reset when
        # the server leaves unread bytes behind (as it should: it stops reading at the limit).
        with contextlib.suppress(ConnectionResetError):
            while chunk := await reader.read(65536):
                received.extend(chunk)

    reading = asyncio.create_task(read())
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    if chunked:
        chunk = b" " * (16 * 1024)
        with contextlib.suppress(ConnectionError):
            for _ in range(LIMIT // len(chunk) + 1):
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
    await reading
    writer.close()
    answer = bytes(received)
    head = answer.partition(b"\r\n\r\n")[0]
    status = int(head.split(b" ")[1])
    kind = next(
        (
            h.split(b":", 1)[1].strip().decode()
            for h in head.split(b"\r\n")
            if h.lower().startswith(b"content-type:")
        ),
        "",
    )
    return status, kind


def _bodies() -> dict[str, tuple[Callable[[], bytes], tuple[int, ...]]]:
    """Name -> (content maker, the statuses allowed). Makers, so nothing big is kept around.

    Each is under the 1 MiB limit, so the app itself must cope; past it, see `_oversized`."""
    nested = "[" * 200_000 + "]" * 200_000
    deep_object = '{"a":' * 50_000 + "1" + "}" * 50_000
    return {
        "nested arrays 200k deep": (lambda: nested.encode(), (400, 422)),
        "nested objects 50k deep": (lambda: deep_object.encode(), (400, 422)),
        "huge array": (lambda: json.dumps({"member_ids": ["x"] * 150_000}).encode(), (413, 422)),
        "many keys": (lambda: json.dumps({f"k{i}": i for i in range(50_000)}).encode(), (422,)),
        "long string": (lambda: json.dumps({"summary": "长" * 100_000}).encode(), (422,)),
        "invalid UTF-8": (
            lambda: b'{"full_name": "\xff\xfe\xc3\x28", "summary": "\xed\xa0\x80"}',
            (400, 422),
        ),
        "lone surrogate escape": (
            lambda: b'{"full_name": "\\udc80", "summary": "\\ud800"}',
            (422,),
        ),
        "not JSON": (lambda: b"\x00\x01\x02garbage", (400, 422)),
        "empty": (lambda: b"", (422,)),
    }


async def test_hostile_bodies_get_problem_answers_and_memory_stays_bounded(world: World) -> None:
    member = world.members[JIXI.name][0]
    owner = world.headers(Role.MEMBER, JIXI.county, member)
    admin = world.headers(Role.CITY_ADMIN, JIXI.code)
    workstation = next(o for o in world.objects["workstation"] if o.city is JIXI)
    targets = [
        ("members", "POST", "/v1/members", admin),
        ("members", "PUT", f"/v1/workstations/{workstation.id}/members", admin),
        ("visits", "POST", "/v1/visits", owner),
        ("notifications", "PUT", "/v1/preferences", owner),
        ("reporting", "GET", "/v1/kpi/summary", admin),
    ]
    start = {s: _rss(p.process.pid) for s, p in world.processes.items() if p.process}
    failures: list[str] = []
    tried = 0
    for _round in range(3):
        for service, method, url, headers in targets:
            async with world.client(service) as client:
                for name, (make, allowed) in _bodies().items():
                    if service == "reporting":
                        continue  # reporting reads no bodies; only the size wall applies
                    response = await client.request(
                        method,
                        url,
                        content=make(),
                        headers={**headers, "Content-Type": "application/json"},
                    )
                    tried += 1
                    kind = response.headers.get("content-type")
                    if response.status_code not in allowed or kind != "application/problem+json":
                        failures.append(
                            f"{service} {method} {url} {name}: {response.status_code} {kind} "
                            f"{response.text[:200]}"
                        )
                for chunked in (False, True):
                    status, kind = await _oversized(
                        world.urls[service], method, url, headers, chunked=chunked
                    )
                    tried += 1
                    if status != 413 or kind != "application/problem+json":
                        failures.append(f"{service} {url} oversized {chunked=}: {status} {kind}")
                assert (await client.get("/health/live")).status_code == 200, service
    growth = {s: _rss(p.process.pid) - start[s] for s, p in world.processes.items() if p.process}
    print(
        f"\nhostile bodies: {tried} requests; RSS growth (MiB) "
        f"{ {s: round(g / MiB, 1) for s, g in growth.items()} }"
    )
    assert failures == [], "\n".join(failures)
    assert all(p.process and p.process.poll() is None for p in world.processes.values())
    assert max(growth.values()) < MAX_GROWTH, growth
