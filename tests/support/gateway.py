"""A stand-in SMS/WeChat HTTP gateway for tests: run it with `serving(gateway.app)`.

Modes: `ok` (accepts), `fail` (answers 503 every time), `slow` (answers after `slow_seconds`).
What it accepted is kept in `received`, so a test can see exactly what went out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

Mode = Literal["ok", "fail", "slow"]


@dataclass
class StandInGateway:
    token: str = "gateway-test-token"
    mode: Mode = "ok"
    slow_seconds: float = 2.0
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    app: FastAPI = field(init=False)

    def __post_init__(self) -> None:
        self.app = FastAPI(title="stand-in gateway")
        self.app.post("/v1/messages")(self._accept)

    async def _accept(
        self, request: Request, authorization: str = Header(default="")
    ) -> JSONResponse:
        self.attempts += 1
        if authorization != f"Bearer {self.token}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        if self.mode == "fail":
            return JSONResponse({"error": "unavailable"}, status_code=503)
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        self.received.append(await request.json())
        return JSONResponse({"accepted": True}, status_code=202)

    def sent_to(self, channel: str, to: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["channel"] == channel and m["to"] == to]
