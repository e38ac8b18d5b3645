"""A stand-in for the government disposal platform (政务联动处置平台), served on 127.0.0.1.

It verifies each assignment's signature with its own code (not the service's), records what
arrived, and misbehaves on request:

- `ok`: takes every correctly signed assignment (200);
- `fail`: answers 500 to the first `times` signed requests, then takes them;
- `always_fail`: answers 500 to everything;
- `slow`: sits on the first `times` requests for `delay` seconds (past the client's timeout),
  then answers promptly;
- `answer_twice`: takes the assignment, then posts a signed reply to `reply_to` twice, as a
  platform retrying after a lost acknowledgement would.

Serve it with `tests.support.servers.serving(stub.app)`; assignments go to `<url>/assignments`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse

Mode = Literal["ok", "fail", "always_fail", "slow", "answer_twice"]
WINDOW_SECONDS = 300


def sign(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The platform's side of the signature: HMAC-SHA256 of `<timestamp>.<body>`."""
    timestamp = str(int(time.time() if now is None else now))
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": f"sha256={digest.hexdigest()}"}


@dataclass(frozen=True)
class Received:
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    signature_ok: bool

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class ReplyAttempt:
    status_code: int
    body: dict[str, Any]


@dataclass
class DisposalPlatformStub:
    secret: str
    mode: Mode = "ok"
    times: int = 0
    delay: float = 0.0
    reply_text: str = "已协调恢复校车，下周一起运行。"
    reply_to: str | None = None
    received: list[Received] = field(default_factory=list)
    replies: list[ReplyAttempt] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = FastAPI(title="disposal platform stand-in")
        self.app.add_api_route("/assignments", self._assignment, methods=["POST"])

    @property
    def signed(self) -> list[Received]:
        return [r for r in self.received if r.signature_ok]

    async def _assignment(self, request: Request, background: BackgroundTasks) -> JSONResponse:
        raw = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        ok = self._signature_ok(headers, raw)
        self.received.append(Received(json.loads(raw), raw, headers, ok))
        if not ok:
            return JSONResponse({"error": "bad signature"}, status_code=401)
        attempt = len(self.signed)
        if self.mode == "always_fail" or (self.mode == "fail" and attempt <= self.times):
            return JSONResponse({"error": "internal"}, status_code=500)
        if self.mode == "slow" and attempt <= self.times:
            await asyncio.sleep(self.delay)
        if self.mode == "answer_twice":
            background.add_task(self._reply_twice, json.loads(raw))
        return JSONResponse({"received": True})

    def _signature_ok(self, headers: dict[str, str], raw: bytes) -> bool:
        timestamp = headers.get("x-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
            return False
        expected = sign(self.secret, raw, now=int(timestamp))["X-Signature"]
        return hmac.compare_digest(expected, headers.get("x-signature", ""))

    async def _reply_twice(self, assignment: dict[str, Any]) -> None:
        assert self.reply_to is not None, "answer_twice needs reply_to (the visits service)"
        body = json.dumps(
            {
                "concern_id": assignment["concern_id"],
                "round": assignment["round"],
                "department_code": assignment["department_code"],
                "reply": self.reply_text,
                "platform_case_no": "GZ-2026-0001",
            },
            ensure_ascii=False,
        ).encode()
        async with httpx.AsyncClient(base_url=self.reply_to) as client:
            for _ in range(2):
                response = await client.post(
                    "/v1/bridge/replies",
                    content=body,
                    headers={"Content-Type": "application/json", **sign(self.secret, body)},
                )
                self.replies.append(ReplyAttempt(response.status_code, response.json()))
