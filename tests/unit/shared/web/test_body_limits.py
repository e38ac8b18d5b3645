"""Per-route body limits: file uploads may be larger than any JSON body, and only there."""

from __future__ import annotations

import httpx
from starlette.types import Receive, Scope, Send

from shared.web.limits import BodySizeLimit


async def _echo_size(scope: Scope, receive: Receive, send: Send) -> None:
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def _client() -> httpx.AsyncClient:
    app = BodySizeLimit(_echo_size, max_bytes=1024, overrides={"/v1/imports/": 8192})
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_an_upload_route_takes_its_own_larger_limit() -> None:
    async with _client() as client:
        upload = await client.post("/v1/imports/members", content=b"x" * 4096)
        json_body = await client.post("/v1/members", content=b"x" * 4096)
        too_big_upload = await client.post("/v1/imports/members", content=b"x" * 9000)
    assert (upload.status_code, upload.text) == (200, "4096")
    assert json_body.status_code == 413
    assert too_big_upload.status_code == 413
    assert too_big_upload.json()["detail"] == "request body exceeds 8192 bytes"
